"""Flood control counted in Redis, so a user's limit holds across web replicas.

Same rules as `bot.middlewares.FloodControlMiddleware` (at most `limit` messages in any
`window` seconds go on; the rest wait their turn, told once; button mashing is dropped), but
the sliding window of a user is a Redis sorted set shared by every replica. If Redis fails
the replica falls back to its own count rather than refusing users."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from bot.middlewares import FloodControlMiddleware, Handler

log = logging.getLogger("smebot.flood")
PREFIX = "smebot:flood:"

# KEYS[1] the user's window; ARGV: now, window, limit, a unique member.
# Returns {1, 0} when admitted, else {0, seconds until the oldest hit leaves the window}.
ADMIT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < tonumber(ARGV[3]) then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return {1, '0'}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + window - now)}
"""


class RedisFloodControl(FloodControlMiddleware):
    def __init__(
        self, redis: Any, limit: int = 20, window: float = 10.0, backlog: int = 20
    ) -> None:
        super().__init__(limit, window, backlog)
        self.redis = redis
        self._script = redis.register_script(ADMIT)

    async def admit(self, user_id: int) -> tuple[bool, float]:
        """(admitted, seconds to wait before trying again)."""
        try:
            admitted, wait = await self._script(
                keys=[f"{PREFIX}{user_id}"],
                args=[time.time(), self.window, self.limit, uuid.uuid4().hex],
            )
        except Exception as exc:  # Redis down: count here, as a single process would
            log.warning("flood control falls back to this replica's count: %s", exc)
            return self._admit(user_id), 0.5
        return bool(int(admitted)), max(0.01, float(wait))

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
