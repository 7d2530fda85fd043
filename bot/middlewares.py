"""Session per update, current user, flood control."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.users import Contact, touch_user
from bot.ui.render import render

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
    """Registers the sender on first contact and refreshes last seen (reactivating them)."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.clock = clock

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
            )
        return await handler(event, data)


class FloodControlMiddleware(BaseMiddleware):
    """Drops a user's updates beyond `limit` per `window` seconds, telling them once."""

    def __init__(self, limit: int = 20, window: float = 10.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: User | None = data.get("event_from_user")
        if tg_user is None:
            return await handler(event, data)
        now = time.monotonic()
        hits = self._hits.setdefault(tg_user.id, deque())
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            if len(self._hits) > 10_000:
                self._forget_idle(now)
            return await handler(event, data)
        if now - self._warned.get(tg_user.id, 0.0) > self.window:
            self._warned[tg_user.id] = now
            if isinstance(event, Message):
                await event.answer(render("common/flood"))
        if isinstance(event, CallbackQuery):
            await event.answer()
        return None

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, h in self._hits.items() if not h or now - h[-1] > self.window]:
            self._hits.pop(user_id, None)
            self._warned.pop(user_id, None)
