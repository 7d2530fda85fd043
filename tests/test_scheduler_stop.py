"""A stop lets the scheduled runs under way finish instead of cancelling them mid-write
(APScheduler's own shutdown cancels them, which logs «Job … raised an exception» with a
traceback — seen in `smebot run` stopped while a reminder batch was going out)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from bot.jobs.running import Scheduler


async def test_a_run_under_way_finishes_before_the_stop_returns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started, finished = asyncio.Event(), asyncio.Event()
    release = asyncio.Event()

    async def job() -> None:
        started.set()
        await release.wait()  # e.g. a sender finishing the messages it holds
        await asyncio.sleep(0.05)
        finished.set()

    scheduler = Scheduler(timezone=UTC)
    scheduler.add_job(scheduler.tracked(job), "date", run_date=datetime.now(UTC), id="job")
    scheduler.start()
    await asyncio.wait_for(started.wait(), 30)
    assert scheduler.runs == 1
    with caplog.at_level(logging.INFO):
        await scheduler.stop(release.set, grace=30)
    assert finished.is_set() and scheduler.runs == 0 and not scheduler.running
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_run_that_overstays_the_grace_is_cut_short_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()

    async def job() -> None:
        started.set()
        await asyncio.Event().wait()  # never ends by itself

    scheduler = Scheduler(timezone=UTC)
    scheduler.add_job(scheduler.tracked(job), "date", run_date=datetime.now(UTC), id="job")
    scheduler.start()
    await asyncio.wait_for(started.wait(), 30)
    with caplog.at_level(logging.INFO):
        await scheduler.stop(grace=0.1)
        await asyncio.sleep(0.1)  # the cancelled run ends on the next loop turns
    assert scheduler.runs == 0
    messages = [r.getMessage() for r in caplog.records]
    assert any("cut short by the stop" in m for m in messages), messages
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], messages
    assert not [r for r in caplog.records if r.exc_info], messages


def test_smebot_run_schedules_tracked_jobs() -> None:
    from bot.app import build_scheduler
    from bot.config import Settings

    scheduler = build_scheduler(Settings(_env_file=None), sessionmaker=None)  # type: ignore[arg-type]
    assert isinstance(scheduler, Scheduler)
    assert all(job.func.__wrapped__ for job in scheduler.get_jobs())
