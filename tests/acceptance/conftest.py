"""Acceptance fixtures: a database the bot migrates itself, and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from _pytest.reports import TestReport
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import create_engine
from tests.support.consult import DeskAPI
from tests.support.db import reset_database, test_database_url


@pytest.fixture
async def bot_db(tmp_path: Path) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """DATABASE_URL for the bot (SQLite file, or TEST_DATABASE_URL emptied) and an engine the
    test reads it with. The bot creates the schema itself, as on a user's first start."""
    url = test_database_url(tmp_path)
    engine = create_engine(url)
    await reset_database(engine)
    yield url, engine
    await engine.dispose()


@pytest.fixture
async def desk_api() -> AsyncIterator[DeskAPI]:
    api = DeskAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    """A failing acceptance test shows what `smebot run` logged (its files in tmp_path):
    a timeout alone does not say whether the bot crashed, was slow or answered otherwise."""
    outcome = yield
    report: TestReport = outcome.get_result()  # type: ignore[attr-defined]
    tmp_path = getattr(item, "funcargs", {}).get("tmp_path")
    if report.when != "call" or not report.failed or not isinstance(tmp_path, Path):
        return
    for log in sorted(tmp_path.glob("**/*.log")):
        text = log.read_text(errors="replace")
        report.sections.append((f"smebot run log {log.name}", text[-12_000:]))
