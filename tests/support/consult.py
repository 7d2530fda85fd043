"""The consultation stories' cast and steps: the fake server with the consultants' desk
methods, the people and chats, asking a question, reading the consultations back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models import Consultation
from tests.fakebotapi import FakeBotAPI, Sent
from tests.support.bot import FixedClock, RunningBot, start_bot

USER, CONS, ADMIN, NEWBIE = 5001, 6001, 7001, 8001
FORUM, GROUP = -1001000000001, -1001000000002
FORUM_CHAT = {"id": FORUM, "type": "supergroup", "title": "Консультанты", "is_forum": True}
GROUP_CHAT = {"id": GROUP, "type": "supergroup", "title": "Консультанты"}
QUESTION = "Заявку отклонили из-за декларации СМП. Как обжаловать & успеть до <пятницы>?"


class DeskAPI(FakeBotAPI):
    """The fake server plus getChat and deleteMyCommands (used by the consultants' desk)."""

    def __init__(self) -> None:
        super().__init__()
        self.get_chat_calls: list[int] = []
        self.topics: list[str] = []

    async def api_getChat(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        self.get_chat_calls.append(chat_id)
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **self.chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    async def api_createForumTopic(self, params: dict[str, Any]) -> Any:
        topic = await super().api_createForumTopic(params)
        self.topics.append(str(topic["name"]))
        return topic

    async def api_deleteMyCommands(self, _params: dict[str, Any]) -> Any:
        return True

    def says_in(self, user_id: int, chat: dict[str, Any], text: str | None, **content: Any) -> int:
        return self.user_says(user_id, text, chat=chat, first_name="Мария", **content)

    def replies(self, user_id: int, to: Sent, text: str | None, **content: Any) -> int:
        """`user_id` replies to the bot's message `to` (in the chat it was sent to)."""
        stored = self.messages[(int(to.chat_id or 0), int(to.message_id or 0))]
        chat = stored["chat"]
        if chat["type"] == "private":
            chat = {"id": user_id, "type": "private", "first_name": "Мария"}
        return self.user_says(
            user_id, text, chat=chat, first_name="Мария", reply_to_message=stored, **content
        )

    def in_topic(self, user_id: int, thread_id: int, text: str | None, **content: Any) -> int:
        return self.says_in(
            user_id,
            FORUM_CHAT,
            text,
            message_thread_id=thread_id,
            is_topic_message=True,
            **content,
        )


async def start_desk_bot(
    api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> RunningBot:
    return await start_bot(api, settings, sessionmaker, clock)


def configured(settings: Settings, **values: Any) -> Settings:
    base: dict[str, Any] = {"admin_ids": [ADMIN], "consultant_ids": [CONS]}
    return settings.model_copy(update={**base, **values})


async def run(
    api: DeskAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    **values: Any,
) -> RunningBot:
    return await start_desk_bot(api, configured(settings, **values), sessionmaker, clock)


DeskBot = Callable[..., Awaitable[RunningBot]]  # the e2e `desk_bot` fixture: start(**settings)


async def ask(api: DeskAPI, text: str | None = QUESTION, **content: Any) -> Sent:
    """USER opens the dialogue with /consult and sends the question; returns «принят»."""
    mark = api.mark()
    api.user_says(USER, "/consult")
    prompt = await api.next_message(USER, after=mark)
    assert "Вопрос консультанту" in prompt.text and prompt.button("Отмена")
    mark = api.mark()
    api.user_says(USER, text, **content)
    accepted = await api.next_message(USER, after=mark)
    assert "Вопрос принят" in accepted.text, accepted.text
    return accepted


async def rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[Consultation]:
    async with sessionmaker() as s:
        return list((await s.execute(select(Consultation).order_by(Consultation.id))).scalars())


async def venue_of(sessionmaker: async_sessionmaker[AsyncSession]) -> object:
    row = (await rows(sessionmaker))[0]
    return (row.chat_id, row.thread_id, row.status)


async def rating_of(sessionmaker: async_sessionmaker[AsyncSession]) -> int | None:
    async with sessionmaker() as s:
        stmt = select(Consultation.rating).order_by(Consultation.id).limit(1)
        return (await s.execute(stmt)).scalar_one_or_none()


async def eventually(
    read: Callable[[], Awaitable[object]], expected: object, timeout: float = 30.0
) -> None:
    """Poll the database until `read()` gives `expected` (the bot commits asynchronously)."""
    deadline = time.monotonic() + timeout
    value = await read()
    while value != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {expected!r}, got {value!r}")
        await asyncio.sleep(0.05)
        value = await read()


def in_thread(api: FakeBotAPI, chat_id: int, thread_id: int, after: int = 0) -> list[Sent]:
    return [
        s
        for s in api.sent[after:]
        if s.chat_id == chat_id and s.params.get("message_thread_id") == thread_id
    ]
