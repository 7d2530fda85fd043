"""Prometheus metrics of one process (prometheus-client, a registry per process object).

Updates by type and outcome and the time to handle them (web), outbox depth by status,
documents in the database, sends by outcome and 429s, job runs and failures, the worker's
leader state and invalidations received. `/metrics` serves `render()`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.logjson import JOB, UPDATE_ID, USER_ID
from bot.outcome import OutcomeStatus
from bot.services import Sessionmaker
from models import Contract, Procedure, Reminder

log = logging.getLogger("smebot.roles")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
SEND_OUTCOMES = tuple(status.value for status in OutcomeStatus)


class Metrics:
    def __init__(self, role: str) -> None:
        self.role = role
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter(
            "smebot_updates", "Telegram updates handled", ["type", "outcome"], registry=r
        )
        self.update_seconds = Histogram(
            "smebot_update_seconds",
            "Time from an update's arrival to the end of its handling (replies included)",
            ["type"],
            buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
            registry=r,
        )
        self.job_runs = Counter("smebot_job_runs", "Scheduled job runs", ["job"], registry=r)
        self.job_failures = Counter(
            "smebot_job_failures", "Scheduled job runs that failed", ["job"], registry=r
        )
        self.leader = Gauge(
            "smebot_worker_leader", "1 while this worker is the active one", registry=r
        )
        self.outbox = Gauge(
            "smebot_outbox_rows", "Reminders outbox rows by status", ["status"], registry=r
        )
        self.documents = Gauge(
            "smebot_documents", "Imported documents in the database", ["kind"], registry=r
        )
        self.invalidations = Counter(
            "smebot_invalidations_received",
            "Invalidations received from other replicas",
            ["kind"],
            registry=r,
        )
        self.ready = Gauge("smebot_ready", "1 while /readyz answers 200", registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def watch_sends(self, totals: Callable[[], Any]) -> None:
        """Sends by outcome and 429s from the bulk sender's running totals (DeliveryStats)."""
        self.registry.register(_SendCollector(totals))

    def job_failed(self, job: str) -> None:
        self.job_failures.labels(job).inc()

    async def refresh_database(self, sessionmaker: Sessionmaker) -> None:
        """Outbox depth by status and documents: cheap grouped counts, read on a timer."""
        async with sessionmaker() as session:
            rows = (
                await session.execute(
                    select(Reminder.status, func.count()).group_by(Reminder.status)
                )
            ).all()
            procedures = (
                await session.execute(select(func.count()).select_from(Procedure))
            ).scalar_one()
            contracts = (
                await session.execute(select(func.count()).select_from(Contract))
            ).scalar_one()
        self.outbox.clear()
        for status, count in rows:
            self.outbox.labels(str(status)).set(int(count))
        self.documents.labels("procedure").set(int(procedures))
        self.documents.labels("contract").set(int(contracts))

    async def refresh_forever(self, sessionmaker: Sessionmaker, every: float = 10.0) -> None:
        while True:
            try:
                await self.refresh_database(sessionmaker)
            except Exception as exc:
                log.warning("metrics: database counts not refreshed: %s", exc)
            await asyncio.sleep(every)


class _SendCollector(Collector):
    def __init__(self, totals: Callable[[], Any]) -> None:
        self.totals = totals

    def collect(self) -> Iterable[CounterMetricFamily]:
        stats = self.totals()
        sends = CounterMetricFamily(
            "smebot_sends",
            "Bulk messages by outcome (reminders, digests, news)",
            labels=["outcome"],
        )
        for outcome in SEND_OUTCOMES:
            sends.add_metric([outcome], getattr(stats, outcome, 0))
        yield sends
        yield CounterMetricFamily(
            "smebot_send_throttled", "429 Too Many Requests answers", value=stats.throttled
        )
        yield CounterMetricFamily(
            "smebot_send_server_errors", "5xx and network errors", value=stats.server_errors
        )


class UpdateMetricsMiddleware(BaseMiddleware):
    """Outer update middleware: counts every update by type and outcome and times it."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        started = time.perf_counter()
        outcome = "error"
        user = data.get("event_from_user")
        update_token = UPDATE_ID.set(event.update_id if isinstance(event, Update) else None)
        user_token = USER_ID.set(user.id if user is not None else None)
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        finally:
            self.metrics.updates.labels(kind, outcome).inc()
            self.metrics.update_seconds.labels(kind).observe(time.perf_counter() - started)
            UPDATE_ID.reset(update_token)
            USER_ID.reset(user_token)


class JobFailureLog(logging.Handler):
    """Jobs log their failures and go on (bot/jobs/): an ERROR from a job's logger counts as
    a failure of the job that is running."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(logging.ERROR)
        self.metrics = metrics
        self.current: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        job = getattr(record, "job", None) or JOB.get() or self.current or record.name
        self.metrics.job_failed(job)
