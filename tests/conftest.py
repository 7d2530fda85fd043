"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
settings, the fake Bot API server and a running bot polling it over real HTTP."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db import create_engine, create_sessionmaker, upgrade
from bot.services.answers import KnowledgeBase
from tests.fakebotapi import FakeBotAPI
from tests.support.bot import FixedClock, RunningBot, shipped_kb, start_bot
from tests.support.db import reset_database, test_database_url

SHARED = Path(__file__).resolve().parents[2] / "shared"
# The real EIS/OCDS samples live beside the project (../shared/samples), not in a clone;
# SMEBOT_SAMPLES points elsewhere.
SAMPLES = Path(os.environ.get("SMEBOT_SAMPLES") or SHARED / "samples")
SAMPLES_MISSING = (
    f"real samples not found at {SAMPLES} (a clone has no ../shared/samples; set SMEBOT_SAMPLES "
    "to the directory of EIS/OCDS sample files to run these tests)"
)


_OWN_CACHE: list[str] = []


def pytest_configure() -> None:
    """The trained classifier is kept in a cache directory of this run (every `smebot run`
    subprocess reads it instead of training again), not in the user's ~/.cache."""
    if "SMEBOT_CACHE_DIR" not in os.environ:
        _OWN_CACHE.append(tempfile.mkdtemp(prefix="smebot-test-cache-"))
        os.environ["SMEBOT_CACHE_DIR"] = _OWN_CACHE[0]


def pytest_unconfigure() -> None:
    for directory in _OWN_CACHE:
        shutil.rmtree(directory, ignore_errors=True)


def pytest_report_header() -> str:
    """Say up front that the sample-based tests will skip, not only in the skip list."""
    return f"samples: {SAMPLES}" if SAMPLES.is_dir() else f"samples: {SAMPLES_MISSING}"


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


@pytest.fixture
def kb() -> KnowledgeBase:
    return shipped_kb()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI()
    await api.start()
    yield api
    await api.stop()
    assert not api.answer_rejections()  # every press answered once


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
