"""Exactly one active worker: a session-level PostgreSQL advisory lock held on a dedicated
connection. The lock is the connection's: when the leader dies (or its connection drops)
PostgreSQL releases it and a standby, trying every `interval` seconds, takes over. On SQLite
there is one process and no election."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bot.roles.pg import WORKER_LOCK, connect, is_postgres

log = logging.getLogger("smebot.roles")


class LeadershipLost(Exception):
    """The lock's connection failed: another worker may be active now."""


class Election:
    def __init__(
        self,
        url: str,
        *,
        key: int = WORKER_LOCK,
        interval: float = 2.0,
        check_every: float = 1.0,
        application_name: str = "smebot worker",
    ) -> None:
        self.url = url
        self.key = key
        self.interval = interval
        self.check_every = check_every
        self.application_name = application_name
        self.leader = False
        self._conn: Any = None

    @property
    def elected(self) -> bool:
        """False on SQLite: a single process, nothing to elect."""
        return is_postgres(self.url)

    async def acquire(self, stopping: asyncio.Event) -> bool:
        """Wait until this process holds the lock (True) or `stopping` is set (False)."""
        if not self.elected:
            self.leader = True
            return True
        announced = False
        while not stopping.is_set():
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await connect(self.url, self.application_name)
                if await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self.key):
                    self.leader = True
                    return True
                if not announced:
                    log.info(
                        "standby: another worker is active; trying every %.0f s", self.interval
                    )
                    announced = True
            except (OSError, Exception) as exc:  # asyncpg errors and network failures alike
                log.warning("election: database unavailable (%s); retrying", exc)
                await self._drop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.interval)
        return False

    async def watch(self) -> None:
        """Return only by raising LeadershipLost when the lock's connection fails."""
        if not self.elected:
            await asyncio.Event().wait()
        while True:
            await asyncio.sleep(self.check_every)
            try:
                await asyncio.wait_for(self._conn.fetchval("SELECT 1"), self.check_every * 5)
            except Exception as exc:
                self.leader = False
                await self._drop()
                raise LeadershipLost(f"the worker lock's connection failed: {exc}") from None

    async def release(self) -> None:
        """Give the lock up at once (a graceful stop): a standby takes over on its next try."""
        if self._conn is not None and self.leader:
            with contextlib.suppress(Exception):
                await self._conn.execute("SELECT pg_advisory_unlock($1)", self.key)
        self.leader = False
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)
