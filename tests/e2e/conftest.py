"""End-to-end fixtures: the fake server with the consultants' desk methods."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from tests.support.bot import FixedClock, RunningBot
from tests.support.consult import DeskAPI, DeskBot, run


@pytest.fixture
async def desk_api() -> AsyncIterator[DeskAPI]:
    api = DeskAPI()
    await api.start()
    yield api
    await api.stop()
    assert not api.answer_rejections()  # every press answered once


@pytest.fixture
def desk(desk_api: DeskAPI) -> DeskAPI:
    return desk_api


@pytest.fixture
async def desk_bot(
    desk: DeskAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> AsyncIterator[DeskBot]:
    """Starts the bot against the desk with the consultation stories' staff (`configured`,
    `values` on top); whatever it started is stopped after the test."""
    started: list[RunningBot] = []

    async def start(**values: Any) -> RunningBot:
        bot = await run(desk, settings, sessionmaker, clock, **values)
        started.append(bot)
        return bot

    yield start
    for bot in started:
        await bot.stop()
