"""The reminders outbox job: claim due rows and hand them to the one rate-limited sender."""

from __future__ import annotations

import asyncio
import logging

from bot.outcome import Outcome
from bot.services import Clock, Sessionmaker
from bot.services.reminders.digests import collect_digests
from bot.services.reminders.due import DueReminder
from bot.services.reminders.outbox import (
    claim_due,
    new_token,
    record_tick,
    release_claimed,
    release_expired,
)
from bot.services.reminders.planner import reconcile
from bot.services.reminders.prefs import Defaults
from bot.telegram.outbox import Delivery, DeliveryStats, Outgoing
from bot.ui.reminders import reminder_message

log = logging.getLogger("smebot.jobs")


class ReminderRunner:
    """The outbox job: recover, re-plan changed targets, collect digests, then claim due rows
    in batches and hand them to the one Delivery (see bot/services/reminders/outbox.py)."""

    def __init__(
        self,
        sessionmaker: Sessionmaker,
        delivery: Delivery,
        defaults: Defaults,
        clock: Clock,
        *,
        batch: int | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.delivery = delivery
        self.defaults = defaults
        self.clock = clock
        # about two seconds of sending per claim; the next is claimed while it goes out
        self.batch = batch or max(50, int(delivery.rate * 2))
        self.token = new_token()
        self.totals = DeliveryStats()

    async def tick(self) -> None:
        """The scheduled job. A bound coroutine method, so APScheduler's asyncio executor awaits
        it (an object with an async ``__call__`` is run in a worker thread and never awaited)."""
        try:
            await self.run_once()
        except Exception:
            log.exception("reminders run failed; will retry on the next run")

    async def prepare(self) -> None:
        now = self.clock()
        async with self.sessionmaker() as session:
            await release_expired(session, now)
        async with self.sessionmaker() as session:
            await reconcile(session, self.defaults, now)
        async with self.sessionmaker() as session:
            await collect_digests(session, now)

    async def run_once(self) -> int:
        """One poll: every due row is claimed in batches and handed to the sender; the next
        batch is claimed while the current one is still going out."""
        await self.prepare()
        finished = False

        async def claim() -> list[Outgoing]:
            nonlocal finished
            while not finished and not self.delivery.stopping:
                async with self.sessionmaker() as session:
                    claimed, due = await claim_due(session, self.clock(), self.token, self.batch)
                finished = claimed < self.batch
                if due:
                    return await self._render(due)
            return []

        async def on_tick(sending: list[int], outcomes: list[Outcome]) -> list[int]:
            async with self.sessionmaker() as session:
                return await record_tick(session, sending, outcomes, self.clock(), self.token)

        first = await claim()
        if not first:
            return 0
        try:
            stats = await self.delivery.deliver(
                first,
                on_tick=on_tick,
                refill=claim,
                low_water=self.batch // 2,
            )
        finally:
            async with self.sessionmaker() as session:
                await release_claimed(session, self.token)
        for name in ("sent", "blocked", "failed", "retry", "throttled", "server_errors"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(stats, name))
        return stats.sent + stats.blocked + stats.failed + stats.retry

    async def _render(self, due: list[DueReminder]) -> list[Outgoing]:
        """Texts and buttons, a few at a time so the sender keeps its pace meanwhile."""
        messages = []
        now = self.clock()
        for i, d in enumerate(due):
            out = reminder_message(d, now)
            messages.append(Outgoing(d.id, d.user_id, out.text, out.keyboard))
            if i % 10 == 9:
                await asyncio.sleep(0)
        return messages

    async def stop(self) -> None:
        """Graceful: no new sends; what is claimed but unsent goes back to pending."""
        self.delivery.stop()
        async with self.sessionmaker() as session:
            await release_claimed(session, self.token)
