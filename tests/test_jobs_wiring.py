"""Every scheduled job runs through the scheduler that `smebot run` builds (bot.app), not only
when a test calls it directly: APScheduler must see each job as a coroutine function and await
it (an object with an async ``__call__`` was run in a worker thread and silently dropped)."""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_bot, build_reminders, build_scheduler, reminder_defaults
from bot.config import Settings
from bot.jobs import consult as consult_jobs
from bot.services import sync
from bot.services.reminders.subscriptions import subscribe
from bot.sources.base import DirectorySource
from bot.sources.demo import write_demo
from models import Procedure
from tests.factories import add_procedure, add_user
from tests.fakebotapi import FakeBotAPI
from tests.support.demo import FakeEis, count
from tests.support.waiting import WAIT, until


def run_now(scheduler: AsyncIOScheduler, job_id: str) -> None:
    scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))


async def test_the_reminder_job_sends_a_due_reminder(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
) -> None:
    now = datetime.now(UTC)
    settings = settings.model_copy(
        update={"bot_api_url": fake_api.url, "quiet_hours": "", "reminder_lead_times": "5m"}
    )
    fake_api.add_private_chat(501)
    await add_user(session, 501)
    await add_procedure(session, "0169300000126000777", applications_end=now + timedelta(minutes=5))
    await subscribe(
        session, 501, "procedure", "0169300000126000777", reminder_defaults(settings), now
    )

    bot = build_bot(settings, fake_api.token)
    reminders = build_reminders(settings, sessionmaker, bot)
    scheduler = build_scheduler(settings, sessionmaker, reminders=reminders)
    assert inspect.iscoroutinefunction(scheduler.get_job("reminders").func)
    scheduler.start()
    try:
        reminder = await fake_api.next_message(501, timeout=WAIT)
        assert reminder.text.startswith("⏰"), reminder.text
    finally:
        await scheduler.stop(reminders.delivery.stop, grace=WAIT)  # as `smebot run` stops
        await reminders.stop()
        await bot.session.close()


async def test_the_import_dir_job_imports_new_files(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    write_demo(inbox, 5, seed=7, now=datetime.now(UTC))
    old = datetime.now(UTC).timestamp() - 60
    for path in inbox.iterdir():
        os.utime(path, (old, old))  # settled files, as the directory source expects
    scheduler = build_scheduler(settings.model_copy(update={"import_dir": inbox}), sessionmaker)
    scheduler.start()
    try:
        await until(lambda: _at_least(count(session), 5), "the IMPORT_DIR job")
    finally:
        await scheduler.stop(grace=WAIT)


async def test_the_eis_sync_job_runs(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    tmp_path: Path,
) -> None:
    eis = FakeEis(tmp_path / "eis")
    scheduler = build_scheduler(settings, sessionmaker, eis=eis)
    scheduler.start()
    try:
        run_now(scheduler, "eis_sync")  # a cron job: make it due now
        await until(lambda: len(eis.days) == 2, "the EIS sync job")
        await until(lambda: _at_least(count(session), 1), "the EIS import")
    finally:
        await scheduler.stop(grace=WAIT)


async def test_the_consultation_sla_job_runs(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []

    async def recording(*_args: Any, **kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(consult_jobs, "sla_job", recording)
    bot = build_bot(settings.model_copy(update={"bot_api_url": fake_api.url}), fake_api.token)
    scheduler = build_scheduler(settings, sessionmaker, bot=bot)
    scheduler.start()
    try:
        run_now(scheduler, "consult_sla")
        await until(lambda: calls, "the consultation SLA job")
        assert calls[0]["sla_hours"] == settings.consult_sla_hours
    finally:
        await scheduler.stop(grace=WAIT)
        await bot.session.close()


@pytest.mark.usefixtures("settings")  # it works in tmp_path
async def test_an_import_that_fails_leaves_its_files_for_the_next_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox = tmp_path / "inbox"
    write_demo(inbox, 3, seed=11, now=datetime.now(UTC))

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("killed mid-import")

    with monkeypatch.context() as patched:
        patched.setattr(sync, "import_paths", broken)
        with pytest.raises(RuntimeError):
            await sync.sync_directory(sessionmaker, DirectorySource(inbox), datetime.now)
    await sync.sync_directory(sessionmaker, DirectorySource(inbox), lambda: datetime.now(UTC))
    await session.commit()
    total = (await session.execute(select(func.count()).select_from(Procedure))).scalar_one()
    assert total == 3


async def _at_least(value: Awaitable[int], expected: int) -> bool:
    return await value >= expected
