"""Migrations as a deploy step: `smebot db upgrade` migrates under an advisory lock; `web`
and `worker` wait for the head revision and never migrate themselves."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import current_revision, head_revision, upgrade
from bot.roles.pg import MIGRATIONS_LOCK, advisory_lock

log = logging.getLogger("smebot.roles")


async def upgrade_locked(engine: AsyncEngine, url: str, revision: str = "head") -> None:
    """Two `smebot db upgrade` at once: the second waits, then finds the head and stops."""
    async with advisory_lock(url, MIGRATIONS_LOCK, "db upgrade"):
        await upgrade(engine, revision)


async def wait_for_head(
    engine: AsyncEngine,
    role: str,
    *,
    interval: float = 2.0,
    timeout: float | None = None,
    report_every: float = 30.0,
    timer: Callable[[], float] = time.monotonic,
) -> str:
    """Wait until the database is at the code's head revision; say why while waiting."""
    head = head_revision()
    started = timer()
    reported = -report_every
    while True:
        current = await current_revision(engine)
        if current == head:
            return head
        if current is not None and current > head:  # numbered revisions: 0009 > 0008
            log.warning(
                "%s: the database is at revision %s, newer than this code's %s (a rollback?); "
                "starting anyway: migrations only add what older code ignores",
                role,
                current,
                head,
            )
            return current
        elapsed = timer() - started
        if timeout is not None and elapsed >= timeout:
            raise TimeoutError(
                f"database is at revision {current or 'none'}, this code needs {head}: "
                "run `smebot db upgrade`"
            )
        if elapsed - reported >= report_every:
            reported = elapsed
            log.warning(
                "%s waits for migrations: database is at revision %s, this code needs %s; "
                "run `smebot db upgrade` (web and worker never migrate themselves)",
                role,
                current or "none",
                head,
            )
        await asyncio.sleep(interval)
