"""What `web` and `worker` share: the engine with the pool settings, signals, the site."""

from __future__ import annotations

import asyncio
import signal

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db import create_engine


def build_engine(settings: Settings, role: str) -> AsyncEngine:
    """DB_POOL_SIZE, DB_STATEMENT_TIMEOUT_MS and DB_APPLICATION_NAME (with the role) apply on
    PostgreSQL; `pg_stat_activity` then tells the roles apart."""
    return create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        application_name=f"{settings.db_application_name} {role}",
    )


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT (a supervisor's stop, Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
