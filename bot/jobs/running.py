"""A scheduler that lets the runs under way finish when the process stops.

APScheduler 3's `shutdown()` cancels the coroutine jobs still running; the cancellation then
surfaces as «Job … raised an exception» with a traceback, and a run cut mid-way (a reminder
batch being sent, an import being committed) is left for recovery to sort out. `stop()` pauses
the scheduler, gives the runs under way a grace period, and only then shuts it down; a run that
overstays is cancelled and logged in one line."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("smebot.jobs")

P = ParamSpec("P")
R = TypeVar("R")

STOP_GRACE = 20.0  # seconds; systemd's default stop timeout is 90 s


class Scheduler(AsyncIOScheduler):  # type: ignore[misc]  # APScheduler 3 is untyped
    """AsyncIOScheduler whose `tracked` jobs finish before `stop()` returns."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._runs: set[asyncio.Task[Any]] = set()

    def tracked(self, func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | None]]:
        """`func` as a job whose runs `stop()` waits for (a coroutine function still, so the
        asyncio executor awaits it in the loop)."""

        @functools.wraps(func)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
            task = asyncio.current_task()
            if task is not None:
                self._runs.add(task)
            try:
                return await func(*args, **kwargs)
            except asyncio.CancelledError:
                log.info("%s: cut short by the stop", getattr(func, "__qualname__", func))
                return None
            finally:
                if task is not None:
                    self._runs.discard(task)

        return run

    @property
    def runs(self) -> int:
        """Runs under way."""
        return len(self._runs)

    async def stop(
        self, before_wait: Callable[[], None] | None = None, grace: float = STOP_GRACE
    ) -> None:
        """No new runs; `before_wait` (e.g. tell a sender to take no more messages); the runs
        under way get `grace` seconds; then the scheduler shuts down."""
        if not self.running:
            return
        self.pause()
        if before_wait is not None:
            before_wait()
        if self._runs:
            _, late = await asyncio.wait(set(self._runs), timeout=grace)
            if late:
                log.warning("%d scheduled run(s) busy after %.0f s: cancelled", len(late), grace)
        self.shutdown(wait=False)  # AsyncIOScheduler runs it on the loop's next turn
        await asyncio.sleep(0)
