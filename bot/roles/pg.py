"""Dedicated PostgreSQL connections (asyncpg) for advisory locks and LISTEN/NOTIFY.

Session-level advisory locks and LISTEN belong to one connection for its whole life, so they
never use the SQLAlchemy pool (a pooled connection is reset and handed to someone else)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.engine import make_url

log = logging.getLogger("smebot.roles")

# advisory lock keys (one bigint namespace for the whole database)
MIGRATIONS_LOCK = 0x5EB0_0001
KB_LOAD_LOCK = 0x5EB0_0002
WORKER_LOCK = 0x5EB0_0003


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def asyncpg_dsn(url: str) -> str:
    """`postgresql+asyncpg://…` (SQLAlchemy) → `postgresql://…` (asyncpg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def connect(url: str, application_name: str) -> Any:
    import asyncpg

    return await asyncpg.connect(
        asyncpg_dsn(url), server_settings={"application_name": application_name}
    )


@contextlib.asynccontextmanager
async def advisory_lock(url: str, key: int, what: str) -> AsyncIterator[None]:
    """Hold a session-level advisory lock for the block (PostgreSQL); no-op elsewhere. A
    second process waits here until the first is done."""
    if not is_postgres(url):
        yield
        return
    conn = await connect(url, f"smebot {what}")
    try:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
            log.info("%s: another process holds the lock; waiting for it", what)
            await conn.execute("SELECT pg_advisory_lock($1)", key)
        yield
    finally:
        with contextlib.suppress(Exception):
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
        await asyncio.shield(conn.close())
