"""`smebot worker`: exactly one active instance runs the scheduler (reminders and the bulk
sender, the consultations' SLA, IMPORT_DIR, the EIS sync); standbys wait for the lock
(bot/roles/election.py). Every instance serves /healthz, /readyz and /metrics on
WORKER_PORT; `smebot_worker_leader` tells the active one."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram.exceptions import TelegramUnauthorizedError
from aiohttp import web
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobExecutionEvent,
)

from bot.app import build_bot, build_eis_source, build_reminders, build_scheduler
from bot.clock import utcnow
from bot.config import ConfigError, Settings
from bot.db import create_sessionmaker
from bot.logjson import JOB
from bot.roles.common import build_engine, serve, stop_on_signals
from bot.roles.election import Election, LeadershipLost
from bot.roles.health import Health
from bot.roles.metrics import JobFailureLog, Metrics
from bot.roles.migrations import wait_for_head
from bot.roles.notify import STATS, Notifier
from bot.services import Sessionmaker
from bot.services.reminders.outbox import release_expired
from bot.services.roles import staff_ids
from bot.telegram.desk import staff_menus
from bot.ui.commands import bot_commands

log = logging.getLogger("smebot.worker")
IMPORT_JOBS = ("import_dir", "eis_sync")
LOST_EXIT = 3


def name_jobs(scheduler: Any) -> None:
    """Each job runs with its id in the log context (`job` in JSON lines, job failures)."""
    for job in scheduler.get_jobs():
        job.modify(func=_named(job.id, job.func))


def _named(name: str, func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(func)
    async def run(*args: Any, **kwargs: Any) -> Any:
        token = JOB.set(name)
        try:
            return await func(*args, **kwargs)
        finally:
            JOB.reset(token)

    return run


async def recover_outbox(sessionmaker: Sessionmaker) -> int:
    """Only the active worker claims reminders, so a new leader owns every claim of the
    previous one: rows it had only claimed go back to pending at once (no lease to wait
    out), rows it was sending become `unknown` and are never resent."""
    async with sessionmaker() as session:
        return await release_expired(session, utcnow(), lease=timedelta(0))


async def run_worker(settings: Settings, token: str, *, election_interval: float = 2.0) -> int:
    """Returns the exit code: 0 after a stop, LOST_EXIT when the lock's connection failed
    (the supervisor restarts the process, which then waits as a standby)."""
    engine = build_engine(settings, "worker")
    sessionmaker = create_sessionmaker(engine)
    metrics = Metrics("worker")
    health = Health(engine, metrics, settings.redis_url)
    election = Election(settings.database_url, interval=election_interval)
    notifier = Notifier(settings.database_url, "worker")
    stop = stop_on_signals()
    app = web.Application()
    health.register(app)
    runner = await serve(app, settings.web_host, settings.worker_port)
    failures = JobFailureLog(metrics)
    jobs_log = logging.getLogger("smebot.jobs")
    jobs_log.addHandler(failures)
    code = 0
    try:
        waiting = asyncio.create_task(wait_for_head(engine, "worker"))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not waiting.done():
            waiting.cancel()
            return 0
        await notifier.start()
        health.started = True
        log.info(
            "worker on %s:%s; waiting to be the active one", settings.web_host, settings.worker_port
        )
        if await election.acquire(stop):
            metrics.leader.set(1)
            code = await _lead(
                settings, token, sessionmaker, election, notifier, metrics, failures, stop
            )
    finally:
        metrics.leader.set(0)
        health.shutting_down = True
        jobs_log.removeHandler(failures)
        await election.release()
        await notifier.stop()
        await runner.cleanup()
        await health.close()
        await engine.dispose()
        log.info("stopped")
    return code


async def _lead(
    settings: Settings,
    token: str,
    sessionmaker: Sessionmaker,
    election: Election,
    notifier: Notifier,
    metrics: Metrics,
    failures: JobFailureLog,
    stop: asyncio.Event,
) -> int:
    if election.elected:
        recovered = await recover_outbox(sessionmaker)
        log.info(
            "active worker (lock taken); %s outbox row(s) of the previous one recovered", recovered
        )
    else:
        log.info("active worker (SQLite: a single process, no election)")
    bot = build_bot(settings, token)
    eis = build_eis_source(settings)
    reminders = build_reminders(settings, sessionmaker, bot)
    scheduler = build_scheduler(settings, sessionmaker, eis=eis, reminders=reminders, bot=bot)
    metrics.watch_sends(lambda: reminders.totals)
    refresh = asyncio.create_task(metrics.refresh_forever(sessionmaker))

    def on_job(event: Any) -> None:
        if event.code == EVENT_JOB_SUBMITTED:
            failures.current = event.job_id
            return
        metrics.job_runs.labels(event.job_id).inc()
        if isinstance(event, JobExecutionEvent) and event.exception is not None:
            metrics.job_failed(event.job_id)
        if event.job_id in IMPORT_JOBS:
            notifier.publish_soon(STATS)  # web replicas drop their statistics cache

    scheduler.add_listener(on_job, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    name_jobs(scheduler)
    watch = asyncio.create_task(election.watch())
    stopped = asyncio.create_task(stop.wait())
    try:
        try:
            await bot.get_me()
        except TelegramUnauthorizedError:
            raise ConfigError("Telegram rejected BOT_TOKEN (401 Unauthorized)") from None
        await bot.set_my_commands(bot_commands())
        async with sessionmaker() as session:
            ids = await staff_ids(session, settings.admin_ids, settings.consultant_ids)
        chat = [settings.consultant_chat_id] if settings.consultant_chat_id else []
        await staff_menus(bot, ids + chat)
        scheduler.start()
        await asyncio.wait({watch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if watch.done() and isinstance(watch.exception(), LeadershipLost):
            log.error("%s: stopping at once so that only one worker sends", watch.exception())
            return LOST_EXIT
        return 0
    finally:
        for task in (watch, stopped, refresh):
            task.cancel()
        await scheduler.stop(reminders.delivery.stop)  # the runs under way finish first
        with contextlib.suppress(Exception):
            await reminders.stop()
        close = getattr(eis, "close", None)
        if close is not None:
            await close()
        await bot.session.close()
