"""Shared invalidation: a knowledge-base publish or rollback and an import's statistics
refresh reach every replica within a second, through PostgreSQL LISTEN/NOTIFY.

Each process listens on one channel over a dedicated connection; a notification carries the
event's kind and its sender, and the sender ignores its own. On SQLite (one process) nothing
is sent. After a lost connection the listener reconnects and refreshes everything once,
since notifications sent meanwhile are gone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bot.roles.pg import connect, is_postgres

log = logging.getLogger("smebot.roles")
CHANNEL = "smebot_events"
KB = "kb"
STATS = "stats"
Handler = Callable[[str], Awaitable[None]]


class Notifier:
    def __init__(self, url: str, role: str, *, retry: float = 2.0) -> None:
        self.url = url
        self.role = role
        self.retry = retry
        self.sender = uuid.uuid4().hex
        self.enabled = is_postgres(url)
        self._handlers: list[Handler] = []
        self._conn: Any = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.received = 0

    def on_event(self, handler: Handler) -> None:
        """`handler(kind)` runs for every event another process sent."""
        self._handlers.append(handler)

    async def start(self) -> None:
        if self.enabled:
            await self._connect()
            self._task = asyncio.create_task(self._keep_alive())

    async def publish(self, kind: str) -> None:
        """Tell every other process; failures are logged (each cache also expires)."""
        if not self.enabled:
            return
        payload = json.dumps({"kind": kind, "sender": self.sender})
        try:
            async with self._lock:
                if self._conn is None or self._conn.is_closed():
                    await self._connect()
                await self._conn.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
        except Exception:
            log.exception("could not announce %s to the other replicas", kind)

    def publish_soon(self, kind: str) -> None:
        """From synchronous code (a swapped index, a scheduler event)."""
        task = asyncio.get_running_loop().create_task(self.publish(kind))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._pending:
            await asyncio.wait(self._pending, timeout=5)
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)

    async def _connect(self) -> None:
        self._conn = await connect(self.url, f"smebot {self.role} listener")
        await self._conn.add_listener(CHANNEL, self._received)

    def _received(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            event = json.loads(payload)
        except ValueError:
            return
        if event.get("sender") == self.sender:
            return
        self.received += 1
        self._dispatch(str(event.get("kind", "")))

    def _dispatch(self, kind: str) -> None:
        for handler in self._handlers:
            task = asyncio.get_running_loop().create_task(self._run(handler, kind))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    @staticmethod
    async def _run(handler: Handler, kind: str) -> None:
        try:
            await handler(kind)
        except Exception:
            log.exception("refresh after a %s event failed", kind)

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.retry)
            if self._conn is not None and not self._conn.is_closed():
                continue
            try:
                async with self._lock:
                    await self._connect()
            except Exception as exc:
                log.warning("listener: database unavailable (%s); retrying", exc)
                continue
            log.info("listener reconnected: refreshing everything once")
            for kind in (KB, STATS):
                self._dispatch(kind)


async def announce(url: str, kind: str) -> None:
    """One event from a short-lived process (`smebot import`, `smebot demo-data`)."""
    notifier = Notifier(url, "cli")
    if notifier.enabled:
        await notifier.publish(kind)
        await notifier.stop()
