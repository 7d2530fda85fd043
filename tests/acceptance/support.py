"""`smebot run` as a user starts it: a subprocess configured by its environment only, talking
to the project's fake Bot API, which runs in this (the test's) process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sources.demo import DemoGenerator
from models import Procedure
from tests.fakebotapi import FakeBotAPI

# Generous: CI runs on a busy 2-core machine; a healthy bot answers in well under a second.
WAIT = 60.0
# A process start imports aiogram, loads the knowledge base and the word vectors: about 10 s of
# CPU, which a 2-core machine at a load of 8–12 (CI beside other work) stretches past a minute.
START_WAIT = 300.0
STRIPPED = ("BOT_", "ADMIN_", "CONSULT", "DATABASE_", "REDIS_", "IMPORT_", "EIS_", "REMINDER_")


def smebot_command() -> list[str]:
    """The `smebot` script installed beside this interpreter (as README's `make run` uses it)."""
    script = Path(sys.executable).with_name("smebot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


class Managed:
    """A process of ours that is stopped the way systemd or Ctrl-C stop it, or killed."""

    proc: asyncio.subprocess.Process | None = None

    async def stop(self, timeout: float = WAIT) -> int:
        """SIGTERM; returns the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        self.proc = None
        return code

    async def kill(self) -> None:
        """SIGKILL: nothing is cleaned up."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self.proc = None


class BotProcess(Managed):
    """One `smebot run` process; its output goes to `workdir/bot-N.log`."""

    def __init__(self, api: FakeBotAPI, workdir: Path, env: dict[str, str]) -> None:
        self.api = api
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(STRIPPED)}
        self.env |= {"BOT_TOKEN": api.token, "BOT_API_URL": api.url, **env}
        self.proc: asyncio.subprocess.Process | None = None
        self.runs = 0
        self.log: Path | None = None

    async def start(self) -> None:
        self.runs += 1
        self.log = self.workdir / f"bot-{self.runs}.log"
        polls_before = self.api.calls.count("getUpdates")
        with self.log.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                *smebot_command(),
                "run",
                cwd=self.workdir,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )
        await self.until(
            lambda: self.api.calls.count("getUpdates") > polls_before, "polling", START_WAIT
        )

    def output(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in sorted(self.workdir.glob("bot-*.log"))
        )

    async def until(self, condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
        """Wait for `condition`; fail with the bot's log if the process died or time ran out."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if self.proc is not None and self.proc.returncode is not None:
                raise AssertionError(
                    f"smebot run exited while waiting for {what}:\n{self.output()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}:\n{self.output()[-4000:]}")
            await asyncio.sleep(0.1)


async def eventually(read: Callable[[], Awaitable[Any]], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await read()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


def drop_files(import_dir: Path, files: list[tuple[str, str]]) -> None:
    """Files land in IMPORT_DIR the way an operator's copy leaves them: complete, and older
    than the directory source's settling time (it skips files still being written)."""
    past = time.time() - 60
    for name, xml in files:
        tmp = import_dir / f".{name}.part"
        tmp.write_text(xml, encoding="utf-8")
        os.utime(tmp, (past, past))
        tmp.rename(import_dir / name)


def notice_file(serial: int, *, end: datetime, title: str) -> tuple[str, str, str]:
    """(file name, XML, notice number) of one EIS notice made by the project's demo generator."""
    name, xml, facts = DemoGenerator(seed=serial).notice(serial, end=end, title=title)
    return name, xml, str(facts["number"])


async def procedures(engine: AsyncEngine, number: str | None = None) -> int:
    """Notices in the bot's database (0 while it has not migrated yet)."""
    query = select(func.count()).select_from(Procedure)
    if number is not None:
        query = query.where(Procedure.number == number)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())
    except DBAPIError:
        return 0


def reminders_to(api: FakeBotAPI, chat_id: int, about: str = "") -> list[float]:
    """When each reminder («⏰ …», mentioning `about`) reached `chat_id`."""
    return [
        s.at
        for s in api.sent
        if s.chat_id == chat_id and (s.text or "").startswith("⏰") and about in (s.text or "")
    ]


def importing_bot(api: FakeBotAPI, workdir: Path, url: str, **env: str) -> tuple[BotProcess, Path]:
    """A `smebot run` on DATABASE_URL `url` that imports `workdir/import` (made here) every
    3 s, with `env` on top; returns it and the import directory."""
    import_dir = workdir / "import"
    import_dir.mkdir(exist_ok=True)
    settings = {
        "DATABASE_URL": url,
        "IMPORT_DIR": str(import_dir),
        "IMPORT_INTERVAL_MINUTES": "0.05",
    }
    return BotProcess(api, workdir, settings | env), import_dir


def reminders_every(poll: float, leads: str) -> dict[str, str]:
    """Settings of a bot whose outbox runs every `poll` seconds with lead times `leads` and no
    quiet hours (a test's reminders are not held until the morning)."""
    return {"REMINDER_POLL_SECONDS": str(poll), "REMINDER_LEAD_TIMES": leads, "QUIET_HOURS": "нет"}
