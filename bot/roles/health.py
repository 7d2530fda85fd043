"""`/healthz` (the process is alive), `/readyz` (database, Redis when configured, not shutting
down) and `/metrics` on one aiohttp application."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.roles.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger("smebot.roles")
CHECK_TIMEOUT = 3.0


class Health:
    def __init__(self, engine: AsyncEngine, metrics: Metrics, redis_url: str | None) -> None:
        self.engine = engine
        self.metrics = metrics
        self.redis_url = redis_url
        self.shutting_down = False
        self.started = False
        self._redis: Any = None

    async def checks(self) -> dict[str, str]:
        result = {
            "started": "ok" if self.started else "starting",
            "shutdown": "shutting down" if self.shutting_down else "ok",
            "database": await self._check(self._database()),
        }
        if self.redis_url:
            result["redis"] = await self._check(self._ping_redis())
        return result

    @staticmethod
    async def _check(probe: Any) -> str:
        try:
            await asyncio.wait_for(probe, CHECK_TIMEOUT)
        except Exception as exc:
            return f"failed: {type(exc).__name__}: {exc}"[:200]
        return "ok"

    async def _database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def _ping_redis(self) -> None:
        if self._redis is None:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(self.redis_url or "")
        await self._redis.ping()

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    # ------------------------------------------------------------------ routes
    def register(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics_view)

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "role": self.metrics.role})

    async def readyz(self, _request: web.Request) -> web.Response:
        checks = await self.checks()
        ready = all(v == "ok" for v in checks.values())
        self.metrics.ready.set(1 if ready else 0)
        return web.json_response(
            {"status": "ready" if ready else "not ready", "role": self.metrics.role, **checks},
            status=200 if ready else 503,
        )

    async def metrics_view(self, _request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})
