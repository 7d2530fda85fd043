"""Days without a time through the importer, the database, the reminders and the CLI
(issue 18): an EIS `biddingDate` given as a day is stored in `procedures.auction_on` (a DATE)
and reminded at 09:00 local; one given with a time, even 00:00 local, stays a moment in
`auction_at` and gets its «за 3 часа» reminder at 21:00 the evening before."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.importer.batches import import_files
from bot.services.reminders.prefs import Defaults
from bot.services.reminders.subscriptions import subscribe
from bot.sources.demo import DemoGenerator
from bot.sources.files import parse_path
from models import Procedure, Reminder
from tests.factories import NOW, add_user
from tests.support.cli import smebot

EKB = "Asia/Yekaterinburg"
DEFAULTS = Defaults("3d,1d,3h", "", EKB)  # no quiet hours: exact due times
END = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # applications end; summing-up on 2 December
USER = 701


def _notice(directory: Path, bidding: str) -> str:
    """A demo e-auction notice (region 74, UTC+5) whose `biddingDate` reads `bidding`,
    written to `directory`; its registry number."""
    generator = DemoGenerator(region="74", seed=7, now=NOW)
    name, xml, facts = next(
        n
        for serial in range(1, 100)
        if "biddingDate" in (n := generator.notice(serial, end=END))[1]
    )
    xml, replaced = re.subn(
        r"<ns5:biddingDate>[^<]*</ns5:biddingDate>",
        f"<ns5:biddingDate>{bidding}</ns5:biddingDate>",
        xml,
    )
    assert replaced == 1
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(xml, encoding="utf-8")
    return str(facts["number"])


async def _import(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path, bidding: str
) -> str:
    number = _notice(tmp_path / "eis", bidding)
    summary = await import_files(sessionmaker, parse_path(tmp_path / "eis"), now=lambda: NOW)
    assert summary.errors == [] and summary.procedures == 1
    return number


async def _reminders(session: AsyncSession, number: str) -> dict[tuple[str, int], Reminder]:
    await add_user(session, USER, tz=EKB)
    await subscribe(session, USER, "procedure", number, DEFAULTS, NOW)
    await session.rollback()
    rows = (await session.execute(select(Reminder).where(Reminder.user_id == USER))).scalars()
    return {(r.event, r.lead_minutes): r for r in rows}


def _local(moment: datetime) -> tuple[int, int, int]:
    local = moment.astimezone(ZoneInfo(EKB))
    return local.day, local.hour, local.minute


async def test_an_auction_day_is_stored_as_a_date_and_reminded_at_nine(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    number = await _import(sessionmaker, tmp_path, "2026-12-04+05:00")
    p = await session.scalar(select(Procedure).where(Procedure.number == number))
    assert p is not None
    assert (p.auction_at, p.auction_on) == (None, date(2026, 12, 4))
    assert (p.summarizing_at, p.summarizing_on) == (None, date(2026, 12, 2))
    rows = await _reminders(session, number)
    expected = {
        "auction": [(1, 9, 0), (3, 9, 0), (4, 9, 0)],
        "summarizing": [(29, 9, 0), (1, 9, 0), (2, 9, 0)],
    }
    for event, days in expected.items():  # 3 days, 1 day before and on the day, at 09:00
        assert all(rows[event, lead].date_only for lead in (4320, 1440, 180)), event
        assert [_local(rows[event, lead].due_at) for lead in (4320, 1440, 180)] == days, event


async def test_an_auction_at_midnight_local_stays_a_moment(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    """Stored as 19:00 UTC, the very timestamp a day used to be stored as: the hour decided
    then that it was a day and its «за 3 часа» came at 09:00 on 4 December."""
    number = await _import(sessionmaker, tmp_path, "2026-12-04T00:00:00+05:00")
    p = await session.scalar(select(Procedure).where(Procedure.number == number))
    assert p is not None
    assert (p.auction_at, p.auction_on) == (datetime(2026, 12, 3, 19, 0, tzinfo=UTC), None)
    rows = await _reminders(session, number)
    three_hours = rows["auction", 180]
    assert not three_hours.date_only
    assert _local(three_hours.due_at) == (3, 21, 0)  # 3 hours before 00:00 on 4 December
    assert _local(rows["auction", 1440].due_at) == (3, 0, 0)


def test_the_cli_gives_an_auction_day_as_a_date(tmp_path: Path) -> None:
    number = _notice(tmp_path / "eis", "2026-12-04+05:00")
    url = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db"}
    assert smebot(tmp_path, "import", str(tmp_path / "eis"), **url).returncode == 0
    shown = smebot(tmp_path, "procedure", number, "--json", **url)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert (data["auction_at"], data["auction_on"]) == (None, "2026-12-04")
    assert (data["summarizing_at"], data["summarizing_on"]) == (None, "2026-12-02")
    text = smebot(tmp_path, "procedure", number, **url).stdout
    assert "Торги: 4 декабря 2026, время не указано" in text, text
