"""Scheduled import from IMPORT_DIR, the EIS job and the on-demand fetch of a missing number."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_scheduler
from bot.config import ConfigError, Settings, load_settings
from bot.jobs.sync import eis_sync_job, import_directory_job
from bot.sources.base import DirectorySource
from bot.sources.demo import write_demo
from tests.fakebotapi import FakeBotAPI
from tests.support.bot import FixedClock, start_bot
from tests.support.demo import FakeEis, count

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


async def test_import_dir_job_takes_each_file_once(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    write_demo(inbox, 7, seed=1, now=NOW)
    source = DirectorySource(inbox)
    await import_directory_job(sessionmaker, source, clock)
    assert await count(session) == 7
    assert source.fetch_new() == []
    write_demo(tmp_path / "later", 3, seed=2, now=NOW, start=100)
    (tmp_path / "later" / "broken.xml").write_text("<export><unclosed>")
    for f in (tmp_path / "later").iterdir():
        f.rename(inbox / f.name)
    await import_directory_job(sessionmaker, source, clock)
    assert await count(session) == 10


async def test_eis_job_fetches_yesterday_and_today(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    eis = FakeEis(tmp_path / "eis")
    await eis_sync_job(
        sessionmaker, eis, ["74", "66"], "Asia/Yekaterinburg", clock, tmp_path / "scratch"
    )
    assert eis.days == [
        ("74", date(2026, 11, 23)),
        ("74", date(2026, 11, 24)),
        ("66", date(2026, 11, 23)),
        ("66", date(2026, 11, 24)),
    ]
    assert await count(session) > 0


def test_scheduler_has_the_configured_jobs(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    # the retention of personal data always runs
    assert [job.id for job in build_scheduler(settings, sessionmaker).get_jobs()] == ["retention"]
    configured = settings.model_copy(
        update={"import_dir": tmp_path / "in", "import_interval_minutes": 5}
    )
    scheduler = build_scheduler(configured, sessionmaker, eis=FakeEis(tmp_path), clock=clock)
    assert {job.id for job in scheduler.get_jobs()} == {"import_dir", "eis_sync", "retention"}


def test_eis_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EIS_REGIONS", "74, 66")
    monkeypatch.setenv("EIS_TOKEN", "secret-token")
    s = load_settings()
    assert s.eis_regions == ["74", "66"] and s.eis_token is not None
    monkeypatch.setenv("EIS_REGIONS", "74,Москва")
    with pytest.raises(ConfigError, match="EIS_REGIONS"):
        load_settings()


async def test_missing_number_is_fetched_from_eis(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    api = fake_api
    eis = FakeEis(tmp_path / "eis")
    running = await start_bot(api, settings, sessionmaker, FixedClock(NOW), eis=eis)
    try:
        number = "0374000000126999999"
        api.user_says(5001, number)
        card = await api.wait_for(
            lambda: [s for s in api.to_chat(5001) if "Закупка №" in s.text], 10
        )
        assert number in card[0].text
        eis.fail = True
        mark = api.mark()
        api.user_says(5001, "0374000000126888888")
        reply = await api.wait_for(lambda: [s for s in api.sent[mark:] if "Не нашёл" in s.text], 30)
        assert "ЕИС сейчас не ответила" in reply[0].text
    finally:
        await running.stop()


async def test_the_running_bot_parses_off_its_event_loop(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """IMPORT_DIR and EIS downloads are parsed in a worker process (capped in memory) and
    waited for in a worker thread, never on the loop's thread (a big download must not
    freeze the bot or its sender)."""
    import threading

    from bot.services import sync

    threads: set[int] = set()
    real = sync.parse_bounded

    def recording(paths: list[Path]) -> Any:
        for parsed in real(paths):
            threads.add(threading.get_ident())
            yield parsed

    monkeypatch.setattr(sync, "parse_bounded", recording)
    inbox = tmp_path / "inbox"
    write_demo(inbox, 4, seed=3, now=NOW)
    await import_directory_job(sessionmaker, DirectorySource(inbox), clock)
    assert await count(session) == 4
    assert threads and threading.get_ident() not in threads
