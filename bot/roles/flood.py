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

from bot.middlewares import FloodControlMiddleware

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
