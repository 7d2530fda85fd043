"""Session per update, current user, flood control, commands, input modes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.known_users import KnownUsers
from bot.services.users import Contact, touch_user
from bot.telegram.prompts import Prompt, is_cancel, not_an_answer
from bot.ui.render import render

log = logging.getLogger("smebot.flood")
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """Opens one AsyncSession per update; services commit their own work."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessionmaker() as session:
            data["session"] = session
            return await handler(event, data)


class UserMiddleware(BaseMiddleware):
    """Registers the sender on first contact and refreshes last seen (reactivating them);
    with `known`, someone who wrote a moment ago is not read again (see KnownUsers)."""

    def __init__(
        self, settings: Settings, clock: Callable[[], datetime], known: KnownUsers | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.known = known

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: User | None = data.get("event_from_user")
        session: AsyncSession | None = data.get("session")
        if tg_user is not None and session is not None and not tg_user.is_bot:
            data["user"] = await touch_user(
                session,
                Contact(
                    id=tg_user.id,
                    first_name=tg_user.first_name,
                    last_name=tg_user.last_name,
                    username=tg_user.username,
                    language=tg_user.language_code,
                ),
                now=self.clock(),
                default_timezone=self.settings.default_timezone,
                default_region=self.settings.default_region,
                known=self.known,
            )
        return await handler(event, data)


class FloodControlMiddleware(BaseMiddleware):
    """At most `limit` messages per user in any `window` seconds go on at once; the rest wait
    for their turn (the user is told once) instead of being dropped, up to `backlog` waiting
    messages a user; beyond that a message is dropped and the user is told that too. Button
    presses beyond the limit are acknowledged and dropped (that is button mashing).

    Registered on updates before the database session, so a waiting message holds no
    connection and a dropped one writes nothing."""

    def __init__(
        self,
        limit: int = 20,
        window: float = 10.0,
        backlog: int = 20,
        *,
        timer: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self.window = window
        self.backlog = backlog
        self.timer = timer
        self.sleep = sleep
        self._hits: dict[int, deque[float]] = {}
        self._waiting: dict[int, int] = {}
        self._warned: dict[tuple[int, str], float] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: User | None = data.get("event_from_user")
        inner = event.event if isinstance(event, Update) else event
        if tg_user is None or not isinstance(inner, Message | CallbackQuery):
            return await handler(event, data)
        user_id = tg_user.id
        admitted, wait = await self.admit(user_id)
        if admitted:
            return await handler(event, data)
        if isinstance(inner, CallbackQuery):
            await inner.answer()
            return None
        waiting = self._waiting.get(user_id, 0)
        if waiting >= self.backlog:
            await self._tell(user_id, inner, "common/flood_dropped")
            return None
        self._waiting[user_id] = waiting + 1
        try:
            await self._tell(user_id, inner, "common/flood")
            while not admitted:
                await self.sleep(wait)
                admitted, wait = await self.admit(user_id)
        finally:
            self._waiting[user_id] -= 1
            if not self._waiting[user_id]:
                del self._waiting[user_id]
        return await handler(event, data)

    async def admit(self, user_id: int) -> tuple[bool, float]:
        """(admitted, seconds to wait before trying again): counted in this process; the
        scaled-out variant (bot.roles.flood) counts in Redis."""
        if self._admit(user_id):
            return True, 0.0
        return False, self._hits[user_id][0] + self.window - self.timer() + 0.01

    def _admit(self, user_id: int) -> bool:
        now = self.timer()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 10_000:
            self._forget_idle(now)
        return True

    async def _tell(self, user_id: int, message: Message, template: str) -> None:
        """Once per window and kind of note, so the notes themselves do not flood the chat."""
        now = self.timer()
        if now - self._warned.get((user_id, template), -self.window) >= self.window:
            self._warned[(user_id, template)] = now
            try:
                await message.answer(render(template))
            except TelegramAPIError as exc:  # the note is a courtesy: the message still waits
                log.warning("flood note to %s not sent: %s", user_id, exc)

    def _forget_idle(self, now: float) -> None:
        idle = [u for u, h in self._hits.items() if not h or now - h[-1] > self.window]
        for user_id in idle:
            if user_id not in self._waiting:
                self._hits.pop(user_id, None)
        self._warned = {k: t for k, t in self._warned.items() if now - t < self.window}


class CommandMiddleware(BaseMiddleware):
    """Commands as Telegram clients send them: `/cmd@otherbot` is addressed to another bot
    and ignored (in groups and private chats alike); `/FIND` is the command `/find`."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message) or not (event.text or "").startswith("/"):
            return await handler(event, data)
        text = event.text or ""
        token = text.split(maxsplit=1)[0]
        name, _, mention = token.partition("@")
        if mention and event.bot is not None:
            me = await event.bot.me()
            if mention.lower() != (me.username or "").lower():
                return None
        if name != name.lower():
            event = event.model_copy(update={"text": token.lower() + text[len(token) :]})
        return await handler(event, data)


class InputModeMiddleware(BaseMiddleware):
    """Leaves an input mode (bot/telegram/prompts.py) on a command, another button, a typed
    «Отмена» or a message that is clearly no answer; registered on messages and presses."""

    def __init__(self, prompts: Mapping[str, Prompt]) -> None:
        self.prompts = prompts

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        raw = data.get("raw_state")
        prompt = self.prompts.get(raw) if isinstance(raw, str) else None
        state: FSMContext | None = data.get("state")
        if prompt is None or state is None:
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            if not prompt.owns(event.data):
                await self._leave(state, data)
        elif isinstance(event, Message) and event.text:
            text = event.text
            if is_cancel(text):
                await self._leave(state, data)
                await event.answer(render("common/input_cancelled", kind=prompt.kind))
                return None
            if text.startswith("/"):
                await self._leave(state, data)
            elif not_an_answer(text):
                await self._leave(state, data)
                await event.answer(render("common/not_an_answer", kind=prompt.kind))
        return await handler(event, data)

    @staticmethod
    async def _leave(state: FSMContext, data: dict[str, Any]) -> None:
        """The state goes (its data stays: the search filters live there); the handlers'
        state filters of this update see it gone too."""
        await state.set_state(None)
        data["raw_state"] = None
