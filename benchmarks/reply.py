"""Reply latency and throughput of `smebot run` beside a bare aiogram echo bot, both polling the
project's fake Bot API (in this process) from their own processes, in one run.

    python -m benchmarks.reply [--database-url URL] [--sequential 60] [--chats 50] [--each 20]

Latency: five chats in turn ask `--sequential` legal questions one after another (reply p50/p99).
Throughput: `--chats` chats each send `--each` questions at once (replies per second).
Targets (issue 13): p50 <= 2x and throughput >= 0.5x the echo bot. The first figures of each
bot (warm-up) are not counted."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.acceptance.support import BotProcess
from tests.fakebotapi import FakeBotAPI

QUESTION = "какое обеспечение заявки на аукционе?"


def replies_to(api: FakeBotAPI, chats: set[int], after: int) -> int:
    return sum(1 for s in api.sent[after:] if s.method == "sendMessage" and s.chat_id in chats)


async def measure(api: FakeBotAPI, args: argparse.Namespace, base: int) -> dict[str, float]:
    # messages per answer (a long answer may be split): learned from the warm-up
    warm = base
    mark = api.mark()
    for i in range(3):
        api.user_says(warm + i, QUESTION)
    await api.wait_for(lambda: replies_to(api, {warm, warm + 1, warm + 2}, mark) >= 3, 120)
    await asyncio.sleep(1.0)
    per_answer = max(1, replies_to(api, {warm, warm + 1, warm + 2}, mark) // 3)

    latencies = []
    for i in range(args.sequential):
        chat = base + 10 + i % 5  # a few chats in turn: one chat would meet flood control
        mark = api.mark()
        started = time.perf_counter()
        api.user_says(chat, QUESTION)
        await api.wait_for(
            lambda c=chat, m=mark: replies_to(api, {c}, m) >= per_answer,  # type: ignore[misc]
            120,
        )
        latencies.append(time.perf_counter() - started)
    latencies.sort()

    chats = {base + 100 + i for i in range(args.chats)}
    mark = api.mark()
    started = time.perf_counter()
    for _ in range(args.each):
        for c in chats:
            api.user_says(c, QUESTION)
    total = args.chats * args.each * per_answer
    await api.wait_for(lambda: replies_to(api, chats, mark) >= total, 600)
    elapsed = time.perf_counter() - started
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "replies_per_s": args.chats * args.each / elapsed,
    }


async def run(args: argparse.Namespace) -> None:
    api = FakeBotAPI()
    await api.start()
    results: dict[str, dict[str, float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite+aiosqlite:///{tmp}/reply.db"
            bots: list[tuple[str, BotProcess, int]] = [
                ("echo", EchoProcess(api, Path(tmp), {}), 1_000_000),
                (
                    "smebot",
                    BotProcess(api, Path(tmp), {"DATABASE_URL": url, "LOG_LEVEL": "WARNING"}),
                    2_000_000,
                ),
            ]
            for name, process, base in bots:
                await process.start()
                try:
                    results[name] = await measure(api, args, base)
                finally:
                    await process.stop()
    finally:
        await api.stop()
    echo, ours = results["echo"], results["smebot"]
    backend = (args.database_url or "sqlite").split(":")[0]
    print(
        f"database: {backend}; {args.sequential} sequential questions, {args.chats} chats x {args.each}"
    )
    for name, r in results.items():
        print(
            f"{name:7s} p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
            f"{r['replies_per_s']:6.1f} replies/s"
        )
    print(
        f"ratio: p50 {ours['p50_ms'] / echo['p50_ms']:.2f}x the echo bot (target <= 2x), "
        f"throughput {ours['replies_per_s'] / echo['replies_per_s']:.2f}x (target >= 0.5x)"
    )


class EchoProcess(BotProcess):
    """benchmarks/echo_bot.py under the same harness as `smebot run`."""

    async def start(self) -> None:
        self.runs += 1
        self.log = self.workdir / f"echo-{self.runs}.log"
        polls_before = self.api.calls.count("getUpdates")
        with self.log.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "benchmarks.echo_bot", env=self.env, stdout=out, stderr=out
            )
        await self.until(lambda: self.api.calls.count("getUpdates") > polls_before, "polling")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--sequential", type=int, default=60)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--each", type=int, default=20)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
