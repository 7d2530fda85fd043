"""Migration 0011: the days stored as timestamps move to the DATE columns (the old guess,
applied once), moments stay; down and up again keeps every day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import downgrade, upgrade
from bot.services.reminders.planner import reconcile
from bot.services.reminders.prefs import Defaults
from bot.services.reminders.subscriptions import subscribe
from models import Procedure, Reminder, ReminderStatus, Subscription
from models.base import UTCDateTime
from tests.factories import NOW, add_procedure, add_user

# procedures as revision 0010 has them
OLD = sa.table(
    "procedures",
    sa.column("number", sa.String()),
    sa.column("law", sa.String()),
    sa.column("auction_at", UTCDateTime()),
    sa.column("summarizing_at", UTCDateTime()),
)
DAYS = "0374030000626000001"  # both stored as days by the EIS parser of 0010 (UTC+5)
MIDNIGHT = "0374030000626000002"  # an auction at 00:00 Moscow: read as a day, once
MOMENTS = "0374030000626000003"  # times of day
OCDS = "ocds-abc-0001"  # on the hour in the band, but OCDS never stored a day
START_UFA = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # 4 December 00:00 +05:00
END_UFA = datetime(2026, 12, 6, 18, 59, 59, tzinfo=UTC)  # 6 December 23:59:59 +05:00
OLD_ROWS: dict[str, tuple[str, datetime, datetime]] = {
    DAYS: ("44", START_UFA, END_UFA),
    MIDNIGHT: ("44", datetime(2026, 12, 3, 21, tzinfo=UTC), datetime(2026, 12, 6, 7, tzinfo=UTC)),
    MOMENTS: ("223", datetime(2026, 12, 4, 5, 30, tzinfo=UTC), END_UFA + timedelta(seconds=1)),
    OCDS: ("ocds", START_UFA, END_UFA),
}
AFTER: dict[str, tuple[Any, ...]] = {  # (auction_at, auction_on, summarizing_at, summarizing_on)
    DAYS: (None, date(2026, 12, 4), None, date(2026, 12, 6)),
    MIDNIGHT: (None, date(2026, 12, 4), datetime(2026, 12, 6, 7, tzinfo=UTC), None),
    MOMENTS: (datetime(2026, 12, 4, 5, 30, tzinfo=UTC), None, END_UFA + timedelta(seconds=1), None),
    OCDS: (START_UFA, None, END_UFA, None),
}


async def _at_0010(engine: AsyncEngine) -> dict[str, tuple[Any, ...]]:
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(OLD.c.number, OLD.c.auction_at, OLD.c.summarizing_at))
        return {row[0]: tuple(row[1:]) for row in rows}


async def _at_head(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> tuple[dict[str, tuple[Any, ...]], dict[str, datetime | None]]:
    async with sessionmaker() as session:
        procedures = {
            p.number: (p.auction_at, p.auction_on, p.summarizing_at, p.summarizing_on)
            for p in (await session.execute(sa.select(Procedure))).scalars()
        }
        seen = {
            s.target: s.seen_at for s in (await session.execute(sa.select(Subscription))).scalars()
        }
    return procedures, seen


async def test_migration_0011_moves_stored_days_and_back(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as session:
        await add_user(session, 801)
        for number in OLD_ROWS:
            await add_procedure(session, number)
            session.add(
                Subscription(
                    user_id=801, kind="procedure", target=number, created_at=NOW, seen_at=NOW
                )
            )
        await session.commit()
    await downgrade(engine, "0010")
    async with engine.begin() as conn:
        for number, (law, auction, summarizing) in OLD_ROWS.items():
            await conn.execute(
                OLD.update()
                .where(OLD.c.number == number)
                .values(law=law, auction_at=auction, summarizing_at=summarizing)
            )
    await upgrade(engine)
    procedures, seen = await _at_head(sessionmaker)
    assert procedures == AFTER
    # a summing-up that became a day: its reminders are planned afresh at the next reconcile
    assert seen == {DAYS: None, MIDNIGHT: NOW, MOMENTS: NOW, OCDS: NOW}

    await downgrade(engine, "0010")
    down = await _at_0010(engine)
    moscow_start = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)  # 4 December 00:00 Moscow
    assert down[DAYS] == (moscow_start, datetime(2026, 12, 6, 20, 59, 59, tzinfo=UTC))
    assert down[MIDNIGHT] == (moscow_start, datetime(2026, 12, 6, 7, tzinfo=UTC))
    for number in (MOMENTS, OCDS):
        assert down[number] == OLD_ROWS[number][1:]

    await upgrade(engine)
    assert (await _at_head(sessionmaker))[0] == AFTER


async def test_a_summing_up_day_is_replanned_at_nine_without_an_update_message(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Reminders planned before 0011 for a summing-up «moment» at 23:59:59 (the «за 3 часа»
    at 20:59) move to 09:00 local at the next reconcile; the day did not move, so no
    «срок перенесён» goes out."""
    defaults = Defaults("3d,1d,3h", "", "Asia/Yekaterinburg")
    async with sessionmaker() as session:
        await add_user(session, 802)
        await add_procedure(session, DAYS, summarizing_at=END_UFA)
        await subscribe(session, 802, "procedure", DAYS, defaults, NOW)
    before = await _summing_up_reminders(sessionmaker)
    assert before[180] == (END_UFA - timedelta(hours=3), False)  # 20:59:59 local
    await downgrade(engine, "0010")
    await upgrade(engine)
    async with sessionmaker() as session:
        assert await reconcile(session, defaults, NOW) == 1
    after = await _summing_up_reminders(sessionmaker)
    nine = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)  # 09:00 +05:00 on 6 December
    assert after == {
        4320: (nine - timedelta(days=3), True),
        1440: (nine - timedelta(days=1), True),
        180: (nine, True),
    }
    async with sessionmaker() as session:
        updates = await session.scalar(
            sa.select(sa.func.count()).select_from(Reminder).where(Reminder.kind == "update")
        )
    assert updates == 0


async def _summing_up_reminders(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> dict[int, tuple[datetime, bool]]:
    """lead → (due, date only) of the summing-up reminders still to go."""
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                sa.select(Reminder).where(
                    Reminder.event == "summarizing", Reminder.status == ReminderStatus.PENDING
                )
            )
        ).scalars()
        return {r.lead_minutes: (r.due_at, r.date_only) for r in rows}
