"""The real dispatcher polling the fake Bot API server, with a fixed clock and the shipped
knowledge base indexed once per test session."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_bot, build_dispatcher
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.services.answers import KnowledgeBase
from bot.services.known_users import KnownUsers
from tests.fakebotapi import FakeBotAPI


@functools.lru_cache(maxsize=1)
def shipped_kb() -> KnowledgeBase:
    """The shipped knowledge base, indexed once per test session."""
    return KnowledgeBase.from_dir(DEFAULT_KNOWLEDGE_DIR)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RunningBot:
    """The real dispatcher polling the fake server; stop() ends polling cleanly."""

    def __init__(self, api: FakeBotAPI, task: asyncio.Task[None], dp: object) -> None:
        self.api = api
        self.task = task
        self.dp = dp

    async def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            await self.dp.stop_polling()  # type: ignore[attr-defined]
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 30)

    async def idle(self, timeout: float = 30.0) -> None:
        """Wait until the bot has fetched every update and finished handling it, so a test can
        check that something was NOT sent without guessing how long to sleep."""
        await self.api.drained(timeout)
        tasks: set[asyncio.Task[object]] = set(getattr(self.dp, "_handle_update_tasks", ()))
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        await self.dp["question_log"].flush()  # type: ignore[index]  # written behind replies


async def start_bot(
    api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    eis: object | None = None,
    kb: KnowledgeBase | None = None,
) -> RunningBot:
    settings = settings.model_copy(update={"bot_api_url": api.url})
    bot = build_bot(settings, api.token)
    engine = sessionmaker.kw["bind"]  # remembered users as `smebot run` does (KnownUsers)
    dp = build_dispatcher(
        settings,
        sessionmaker,
        kb=kb or shipped_kb(),
        clock=clock,
        eis=eis,  # type: ignore[arg-type]
        known_users=KnownUsers.watching(engine),
    )

    async def poll() -> None:
        try:
            await dp.start_polling(bot, handle_signals=False, polling_timeout=1)
        finally:
            await bot.session.close()

    task = asyncio.create_task(poll())
    await api.wait_for(lambda: "getUpdates" in api.calls, timeout=30)
    return RunningBot(api, task, dp)
