"""Magic filters run on the event loop: no thread-pool round trip per filter tried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import Chat, Message, Update, User

from bot.sync_filters import inline_magic_filters
from handlers import get_routers


def _text_update(text: str) -> Update:
    chat = Chat(id=1, type="private")
    user = User(id=1, is_bot=False, first_name="Ира")
    message = Message(message_id=1, date=datetime.now(UTC), chat=chat, from_user=user, text=text)
    return Update(update_id=1, message=message)


async def test_magic_filters_never_go_through_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    router = Router()
    router.message.filter(F.chat.type == "private")
    seen: list[str] = []

    @router.message(F.text.startswith("/"))
    async def command(_message: Message) -> None:
        seen.append("command")

    @router.message(F.text)
    async def text(message: Message) -> None:
        seen.append(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    assert inline_magic_filters(dp) == 3

    async def no_threads(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a filter went to a thread")

    monkeypatch.setattr(asyncio, "to_thread", no_threads)
    bot = Bot("42:TEST")
    await dp.feed_update(bot, _text_update("какое обеспечение?"))
    await bot.session.close()
    assert seen == ["какое обеспечение?"]


def test_every_filter_of_the_bot_is_awaitable() -> None:
    dp = Dispatcher()
    dp.include_routers(*get_routers())
    assert inline_magic_filters(dp) > 10
    for router in dp.chain_tail:
        for observer in router.observers.values():
            for handler in [*observer.handlers, observer._handler]:
                for event_filter in handler.filters or ():
                    assert event_filter.awaitable, (router.name, event_filter.callback)
