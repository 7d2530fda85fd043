"""Flood control: a burst of messages waits for its turn instead of being lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import TelegramObject, Update, User

from bot.app import build_bot
from bot.config import Settings
from bot.middlewares import FloodControlMiddleware
from tests.fakebotapi import FakeBotAPI

USER = 7


@pytest.fixture
async def bot(fake_api: FakeBotAPI, settings: Settings) -> AsyncIterator[Bot]:
    fake_api.add_private_chat(USER)
    bot = build_bot(settings.model_copy(update={"bot_api_url": fake_api.url}), fake_api.token)
    yield bot
    await bot.session.close()


def _sender() -> dict[str, Any]:
    return {"id": USER, "is_bot": False, "first_name": "Иван"}


def _message(bot: Bot, n: int) -> Update:
    chat = {"id": USER, "type": "private", "first_name": "Иван"}
    message = {"message_id": n, "date": 0, "chat": chat, "from": _sender(), "text": f"m{n}"}
    return Update.model_validate({"update_id": n, "message": message}, context={"bot": bot})


def _press(bot: Bot, n: int) -> Update:
    query = {"id": f"q{n}", "from": _sender(), "chat_instance": "c", "data": "x"}
    return Update.model_validate({"update_id": n, "callback_query": query}, context={"bot": bot})


async def _feed(flood: FloodControlMiddleware, updates: list[Update]) -> list[str]:
    handled: list[str] = []

    async def handler(event: TelegramObject, _data: dict[str, Any]) -> None:
        assert isinstance(event, Update)
        handled.append(event.message.text if event.message and event.message.text else "press")

    user = User(**_sender())
    await asyncio.gather(*(flood(handler, u, {"event_from_user": user}) for u in updates))
    return handled


async def test_a_burst_waits_for_its_turn_and_only_beyond_the_backlog_is_dropped(
    fake_api: FakeBotAPI, bot: Bot
) -> None:
    flood = FloodControlMiddleware(limit=3, window=0.3, backlog=2)
    started = time.monotonic()
    handled = await _feed(flood, [_message(bot, n) for n in range(6)])
    assert time.monotonic() - started >= 0.3  # the two waiting ones went a window later
    assert sorted(handled) == ["m0", "m1", "m2", "m3", "m4"]  # m5 was beyond the backlog
    notes = [s.text for s in fake_api.sent if s.chat_id == USER]
    assert len(notes) == 2  # told once that messages wait, once that one was dropped
    assert "отвечу на сообщения по порядку" in notes[0] and "пропустил" in notes[1]


async def test_button_mashing_is_acknowledged_and_dropped(fake_api: FakeBotAPI, bot: Bot) -> None:
    flood = FloodControlMiddleware(limit=2, window=5.0)
    for n in range(4):  # the fake answers only queries it handed out
        fake_api.callbacks[f"q{n}"] = {"user_id": USER, "at": time.monotonic()}
    handled = await _feed(flood, [_press(bot, n) for n in range(4)])
    assert handled == ["press", "press"]
    assert set(fake_api.answered) == {"q2", "q3"}  # the spinner stops on the dropped ones too


async def test_other_users_and_later_messages_are_not_held_up(bot: Bot) -> None:
    """On a clock of our own, so a busy machine cannot make it fail (issue 18)."""
    now = [1000.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    flood = FloodControlMiddleware(limit=2, window=10.0, timer=lambda: now[0], sleep=sleep)
    assert len(await _feed(flood, [_message(bot, n) for n in range(2)])) == 2
    now[0] += 10.5  # the window has passed
    assert len(await _feed(flood, [_message(bot, n) for n in range(2, 4)])) == 2
    assert slept == []  # nobody waited
