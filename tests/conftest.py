"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
settings, the fake Bot API server and a running bot polling it over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import build_bot, build_dispatcher
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.db import create_engine, create_sessionmaker, upgrade
from bot.services.answers import KnowledgeBase
from tests.fakebotapi import FakeBotAPI

SHARED = Path(__file__).resolve().parents[2] / "shared"
# The real EIS/OCDS samples live beside the project (../shared/samples), not in a clone;
# SMEBOT_SAMPLES points elsewhere.
SAMPLES = Path(os.environ.get("SMEBOT_SAMPLES") or SHARED / "samples")
SAMPLES_MISSING = (
    f"real samples not found at {SAMPLES} (a clone has no ../shared/samples; set SMEBOT_SAMPLES "
    "to the directory of EIS/OCDS sample files to run these tests)"
)


def pytest_report_header() -> str:
    """Say up front that the sample-based tests will skip, not only in the skip list."""
    return f"samples: {SAMPLES}" if SAMPLES.is_dir() else f"samples: {SAMPLES_MISSING}"


def test_database_url(tmp_path: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path}/test.db"


async def reset_database(engine: AsyncEngine) -> None:
    """PostgreSQL test databases are shared between runs: start from an empty schema."""
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return test_database_url(tmp_path)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    await reset_database(eng)
    await upgrade(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as s:
        yield s


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    return Settings(database_url=db_url, bot_token=None, _env_file=None)


@functools.lru_cache(maxsize=1)
def shipped_kb() -> KnowledgeBase:
    """The shipped knowledge base, indexed once per test session."""
    return KnowledgeBase.from_dir(DEFAULT_KNOWLEDGE_DIR)


@pytest.fixture
def kb() -> KnowledgeBase:
    return shipped_kb()


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI()
    await api.start()
    yield api
    await api.stop()


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
    dp = build_dispatcher(settings, sessionmaker, kb=kb or shipped_kb(), clock=clock, eis=eis)  # type: ignore[arg-type]

    async def poll() -> None:
        try:
            await dp.start_polling(bot, handle_signals=False, polling_timeout=1)
        finally:
            await bot.session.close()

    task = asyncio.create_task(poll())
    await api.wait_for(lambda: "getUpdates" in api.calls, timeout=30)
    return RunningBot(api, task, dp)


@pytest.fixture
async def running_bot(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> AsyncIterator[RunningBot]:
    running = await start_bot(fake_api, settings, sessionmaker, clock)
    yield running
    await running.stop()


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(SAMPLES_MISSING)
    return SAMPLES
