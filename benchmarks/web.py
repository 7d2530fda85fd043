"""Replies per second of one and of two `smebot web` replicas (webhook mode), side by side.

    python -m benchmarks.web [--database-url URL] [--redis-url URL] [--chats 200] [--each 3]

The project's fake Bot API (in this process) posts the updates to the replicas round-robin
with the secret, up to 40 at once like Telegram. `--chats` users each send `--each` legal
questions at once; the figure is answers per second until every one is answered, for one
replica and then for two, on the same database (PostgreSQL, created when missing: several
replicas share it; Redis from --redis-url or TEST_REDIS_URL). The first questions
(warm-up) are not counted. On a machine with few cores the replicas compete with the fake
and the database for CPU: the ratio shows what a second replica adds here, not in production."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.acceptance.roles import RoleProcess, free_port, role_env, run_cli
from tests.fakebotapi import FakeBotAPI

QUESTION = "какое обеспечение заявки на аукционе?"


def replies(api: FakeBotAPI, chats: set[int], after: int) -> int:
    return sum(1 for s in api.sent[after:] if s.method == "sendMessage" and s.chat_id in chats)


async def measure(api: FakeBotAPI, chats: int, each: int, base: int) -> float:
    warm = {base - 1, base - 2, base - 3}
    mark = api.mark()
    for chat in warm:
        api.user_says(chat, QUESTION)
    await api.wait_for(lambda: replies(api, warm, mark) >= 3, 120)
    await asyncio.sleep(1.0)
    per_answer = replies(api, warm, mark) / 3  # a long answer is split into messages
    users = set(range(base, base + chats))
    mark = api.mark()
    started = time.perf_counter()
    for _ in range(each):
        for user in users:
            api.user_says(user, QUESTION)
    expected = chats * each * per_answer
    await api.wait_for(lambda: replies(api, users, mark) >= expected, 600)
    return chats * each / (time.perf_counter() - started)


async def ensure_database(url: str) -> None:
    """The benchmark's own database: the shared test database is emptied by test runs."""
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        exists = await conn.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", parsed.database
        )
        if not exists:
            await conn.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> None:
    from bot.db import create_engine
    from tests.support.db import reset_database

    await ensure_database(args.database_url)
    api = FakeBotAPI()
    api.auto_chats = True
    await api.start()
    workdir = Path(tempfile.mkdtemp(prefix="smebot-web-bench-"))
    ports = [free_port(), free_port()]
    hooks = [f"http://127.0.0.1:{p}/tg/hook" for p in ports]
    engine = create_engine(args.database_url)
    await reset_database(engine)
    await engine.dispose()
    env = role_env(
        api,
        args.database_url,
        WEBHOOK_URL=hooks[0],
        LOG_LEVEL="WARNING",
        **({"REDIS_URL": args.redis_url} if args.redis_url else {}),
    )
    code, out = await run_cli(["db", "upgrade"], workdir, env)
    assert code == 0, out
    figures: dict[int, float] = {}
    try:
        for count in (1, 2):
            webs = [
                RoleProcess(f"web{count}-{i}", ["web"], workdir, env | {"WEB_PORT": str(p)})
                for i, p in enumerate(ports[:count])
            ]
            api.webhook_targets = hooks[:count]
            await asyncio.gather(*(w.start() for w in webs))
            await asyncio.gather(*(w.ready(timeout=180) for w in webs))
            figures[count] = await measure(api, args.chats, args.each, 100_000 * count)
            print(f"{count} replica(s): {figures[count]:.1f} replies/s", flush=True)
            for w in webs:
                await w.stop()
    finally:
        await api.stop()
    print(
        f"web replicas: one {figures[1]:.1f} replies/s, two {figures[2]:.1f} replies/s, "
        f"ratio {figures[2] / figures[1]:.2f}x ({os.cpu_count()} cores, {args.chats} chats "
        f"× {args.each} questions, database {args.database_url.split(':')[0]})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/smebot_bench",
    )
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", ""))
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--each", type=int, default=3)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("benchmarks.web needs PostgreSQL (--database-url or TEST_DATABASE_URL)")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
