"""FSM storage: memory by default, Redis when REDIS_URL is set (scaled-out mode)."""

from __future__ import annotations

import os

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.app import build_storage
from bot.config import Settings


async def test_memory_storage_by_default(settings: Settings) -> None:
    assert isinstance(build_storage(settings), MemoryStorage)


async def test_redis_storage_round_trip(settings: Settings) -> None:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set; .ci/run sets it to the local Redis")
    storage = build_storage(settings.model_copy(update={"redis_url": url}))
    key = StorageKey(bot_id=1, chat_id=2, user_id=3)
    try:
        await storage.set_state(key, "ask:waiting")
        await storage.set_data(key, {"q": "обеспечение"})
        assert await storage.get_state(key) == "ask:waiting"
        assert await storage.get_data(key) == {"q": "обеспечение"}
    finally:
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        await storage.close()
