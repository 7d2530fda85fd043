"""an auction's or a summing-up's day without a time in a DATE column

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

The EIS gives `biddingDate` and `summarizingDate` as days (`2026-12-04+05:00`). They were
stored as timestamps: an auction day at the start of that day in the notice's zone, a
summing-up day at its end (23:59:59), and the bot guessed from the hour which auction
timestamps were days, misreading a real auction at 00:00 local. Now a day goes into
`auction_on` / `summarizing_on` (the day as written) and a moment stays in `auction_at` /
`summarizing_at`, never both.

This migration moves the stored days with the rules that stored them, frozen here (the only
place the old guess is still made): an EIS auction timestamp on the hour between 12:00 and
22:00 UTC is the start of a day in a zone from UTC+2 to UTC+12, a summing-up timestamp at
hh:59:59 in that band the end of one. OCDS rows never held a day (its parser dropped dates
without a time) and stay as they are. Procedure subscriptions whose summing-up became a day
are marked for re-planning, so its reminders move to 09:00 local at the next reconcile.

Downgrade writes a day back as the timestamps the old code read as that day: the start (or
the end) of it in Moscow time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BATCH = 5000
MOSCOW = ZoneInfo("Europe/Moscow")

procedures = sa.table(
    "procedures",
    sa.column("id", sa.Integer()),
    sa.column("number", sa.String()),
    sa.column("law", sa.String()),
    sa.column("auction_at", models.base.UTCDateTime()),
    sa.column("auction_on", sa.Date()),
    sa.column("summarizing_at", models.base.UTCDateTime()),
    sa.column("summarizing_on", sa.Date()),
)
subscriptions = sa.table(
    "subscriptions",
    sa.column("kind", sa.String()),
    sa.column("target", sa.String()),
    sa.column("seen_at", models.base.UTCDateTime()),
)


def day_started_at(at: datetime) -> date | None:
    """The day whose start in its zone (UTC+2…+12) `at` is, None for any other moment (the
    rule `schedule.eis_day` applied at run time before this revision; frozen)."""
    utc = at.astimezone(UTC)
    if utc.minute or utc.second or utc.microsecond or not 12 <= utc.hour <= 22:
        return None
    return (utc + timedelta(hours=12)).date()


def day_ended_at(at: datetime) -> date | None:
    """The day whose end (23:59:59 in its zone, UTC+2…+12) `at` is: what the EIS parser
    stored for `summarizingDate` before this revision."""
    next_day = day_started_at(at + timedelta(seconds=1))
    return None if next_day is None else next_day - timedelta(days=1)


def _batches(column: Any, where: Any) -> Iterator[Sequence[Any]]:
    """(id, `column`) of the procedures matching `where`, BATCH rows at a time by id."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(procedures.c.id, column)
            .where(where, procedures.c.id > last)
            .order_by(procedures.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _set(values: dict[str, Any], params: list[dict[str, Any]]) -> None:
    if params:
        op.get_bind().execute(
            procedures.update().where(procedures.c.id == sa.bindparam("pid")).values(values),
            params,
        )


def _move(name: str, to_day: Callable[[datetime], date | None]) -> None:
    """`name`_at → `name`_on for EIS rows whose timestamp is a stored day."""
    at, on = procedures.c[f"{name}_at"], procedures.c[f"{name}_on"]
    for rows in _batches(at, sa.and_(at.is_not(None), procedures.c.law != "ocds")):
        days = [(pid, to_day(moment)) for pid, moment in rows]
        _set(
            {at.name: None, on.name: sa.bindparam("day")},
            [{"pid": pid, "day": day} for pid, day in days if day is not None],
        )


def _back(name: str, at_time: time) -> None:
    """`name`_on → `name`_at: the day at `at_time` in Moscow time."""
    at, on = procedures.c[f"{name}_at"], procedures.c[f"{name}_on"]
    for rows in _batches(on, on.is_not(None)):
        _set(
            {at.name: sa.bindparam("moment"), on.name: None},
            [
                {"pid": pid, "moment": datetime.combine(day, at_time, MOSCOW).astimezone(UTC)}
                for pid, day in rows
            ],
        )


def _replan_summing_up_days() -> None:
    """Subscriptions to a notice with a summing-up day: re-planned at the next reconcile."""
    days = sa.select(procedures.c.number).where(procedures.c.summarizing_on.is_not(None))
    op.get_bind().execute(
        subscriptions.update()
        .where(subscriptions.c.kind == "procedure", subscriptions.c.target.in_(days))
        .values(seen_at=None)
    )


def upgrade() -> None:
    # recreate="never": a copied table would lose SQLite's full-text triggers (0003)
    with op.batch_alter_table("procedures", recreate="never") as batch:
        batch.add_column(sa.Column("auction_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("summarizing_on", sa.Date(), nullable=True))
    _move("auction", day_started_at)
    _move("summarizing", day_ended_at)
    _replan_summing_up_days()


def downgrade() -> None:
    _replan_summing_up_days()
    _back("auction", time.min)
    _back("summarizing", time(23, 59, 59))
    # recreate="never": a copied table would lose SQLite's full-text triggers (0003)
    with op.batch_alter_table("procedures", recreate="never") as batch:
        batch.drop_column("summarizing_on")
        batch.drop_column("auction_on")
