"""Monthly statistics cells: what they hold, how an import marks them, how they are rebuilt.

A cell is (region, month): region '' for rows without one, month 'YYYY-MM' of the
procedure's `published_at` (UTC) or the contract's `signed_on`. The `stat_*` tables hold the
grouped figures of every cell (see `models/stats.py`); the importer notes the cells it touches
(old and new place of a changed row) in `session.info`, `save_dirty` writes them to
`stat_dirty` in the same transaction as the data, and `refresh_dirty` recomputes them from the
base tables with INSERT … SELECT … GROUP BY (all cells at once when many changed). The same
SELECTs, filtered by date, read the partial months of a custom period straight from the base
tables, so both paths count exactly alike."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Executable,
    Numeric,
    Select,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import upsert
from models import (
    Contract,
    Procedure,
    StatContracts,
    StatCustomers,
    StatDirty,
    StatOkpd2,
    StatProcedures,
)

RUB_CODES = ("RUB", "RUR", "643", "810")
NO_OKPD2 = "—"
PROCEDURES, CONTRACTS = "p", "c"
FULL_REBUILD_CELLS = 64  # more dirty cells than this: rebuild every cell in one pass
_INFO_KEY = "stat_cells"
log = logging.getLogger("smebot.stats")
_LOCK_ID = 7_410_001  # PostgreSQL advisory lock: one refresh at a time

_BLANK: ColumnElement[str] = literal_column("''")
KOPECKS = Numeric(24, 0)


# --------------------------------------------------------------------------- cells
def month_key(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
    return f"{value.year:04d}-{value.month:02d}"


def note(session: AsyncSession, kind: str, region: str | None, when: date | None) -> None:
    """Remember that the cell of a row (its region and date) changed in this transaction."""
    month = month_key(when)
    if month is not None:
        cells: set[tuple[str, str, str]] = session.info.setdefault(_INFO_KEY, set())
        cells.add((kind, region or "", month))


async def save_dirty(session: AsyncSession) -> None:
    """Write the noted cells to `stat_dirty` (call inside the transaction of the data)."""
    cells: set[tuple[str, str, str]] = session.info.pop(_INFO_KEY, set())
    if not cells:
        return
    dialect = session.get_bind().dialect.name
    rows = [{"kind": k, "region": r, "month": m} for k, r, m in sorted(cells)]
    for start in range(0, len(rows), 500):
        await session.execute(
            upsert(
                StatDirty,
                rows[start : start + 500],
                dialect=dialect,
                index_elements=("kind", "region", "month"),
            )
        )


# --------------------------------------------------------------------------- SQL pieces
def month_of(column: Any, dialect: str) -> ColumnElement[str]:
    """'YYYY-MM' of a UTC datetime or a date column. No bound parameters, so the same
    expression can appear in SELECT and GROUP BY on PostgreSQL."""
    if dialect == "sqlite":  # stored as 'YYYY-MM-DD[ HH:MM:SS…]' in UTC; substr beats strftime
        return func.substr(column, literal_column("1"), literal_column("7"))
    if isinstance(column.type, Date):
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.to_char(func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM'"))


def kopecks(amount: Any, currency: Any, dialect: str) -> ColumnElement[Any]:
    """The sum of rouble amounts in whole kopecks, as NUMERIC; 0 when there are none. It never
    overflows: PostgreSQL sums NUMERIC; SQLite's `total()` sums in floating point, exact up to
    2^53 kopecks (90 trillion roubles), where `sum()` of integers raises on overflow."""
    rub = case((currency.in_(RUB_CODES), amount), else_=None)
    if dialect == "sqlite":
        total = func.total(func.round(rub * 100))
    else:
        total = func.coalesce(func.sum(cast(func.round(rub * 100), KOPECKS)), 0)
    return cast(total, KOPECKS)


def _lit(value: str) -> ColumnElement[str]:
    return literal_column("'" + value.replace("'", "''") + "'")


def procedure_cells(dialect: str, *where: ColumnElement[bool]) -> Select[Any]:
    P = Procedure
    region = func.coalesce(P.region, _BLANK)
    month = month_of(P.published_at, dialect)
    platform = func.coalesce(P.platform_name, _BLANK)
    return (
        select(
            region.label("region"),
            month.label("month"),
            P.law.label("law"),
            P.method.label("method"),
            platform.label("platform"),
            P.smp_only.label("smp_only"),
            func.count().label("n"),
            kopecks(P.max_price, P.currency, dialect).label("kopecks"),
        )
        .where(P.published_at.is_not(None), *where)
        .group_by(region, month, P.law, P.method, platform, P.smp_only)
    )


def okpd2_cells(dialect: str, *where: ColumnElement[bool]) -> Select[Any]:
    P = Procedure
    region = func.coalesce(P.region, _BLANK)
    month = month_of(P.published_at, dialect)
    group = func.coalesce(
        func.substr(P.okpd2_main, literal_column("1"), literal_column("2")), _lit(NO_OKPD2)
    )
    return (
        select(
            region.label("region"),
            month.label("month"),
            group.label("grp"),
            func.count().label("n"),
            kopecks(P.max_price, P.currency, dialect).label("kopecks"),
        )
        .where(P.published_at.is_not(None), *where)
        .group_by(region, month, group)
    )


def customer_cells(dialect: str, *where: ColumnElement[bool]) -> Select[Any]:
    P = Procedure
    region = func.coalesce(P.region, _BLANK)
    month = month_of(P.published_at, dialect)
    key = func.coalesce(P.customer_inn, P.customer_name)
    return (
        select(
            region.label("region"),
            month.label("month"),
            key.label("customer"),
            func.max(P.customer_name).label("name"),
            func.count().label("n"),
            kopecks(P.max_price, P.currency, dialect).label("kopecks"),
        )
        .where(P.published_at.is_not(None), *where)
        .group_by(region, month, key)
    )


def contract_cells(dialect: str, *where: ColumnElement[bool]) -> Select[Any]:
    C = Contract
    region = func.coalesce(C.region, _BLANK)
    month = month_of(C.signed_on, dialect)
    smp = func.coalesce(C.supplier_is_smp, false())
    finished = C.status_code.in_([_lit("EC"), _lit("ET")])
    state = case((finished, C.status_code), else_=_BLANK)
    open_end = case((finished, None), else_=C.execution_end)
    return (
        select(
            region.label("region"),
            month.label("month"),
            smp.label("smp"),
            state.label("state"),
            open_end.label("open_end"),
            func.count().label("n"),
            kopecks(C.price, C.currency, dialect).label("kopecks"),
        )
        .where(C.signed_on.is_not(None), *where)
        .group_by(region, month, smp, state, open_end)
    )


CellSelect = Callable[..., Select[Any]]
TABLES: dict[str, tuple[tuple[Any, CellSelect], ...]] = {
    PROCEDURES: (
        (StatProcedures, procedure_cells),
        (StatOkpd2, okpd2_cells),
        (StatCustomers, customer_cells),
    ),
    CONTRACTS: ((StatContracts, contract_cells),),
}


def _month_bounds(month: str) -> tuple[date, date]:
    year, mon = int(month[:4]), int(month[5:7])
    nxt = date(year + 1, 1, 1) if mon == 12 else date(year, mon + 1, 1)
    return date(year, mon, 1), nxt


def procedure_range(
    region: str | None, start: datetime, end: datetime
) -> list[ColumnElement[bool]]:
    """Rows of `region` ('' = without a region, None = every region) published in [start, end)."""
    P = Procedure
    where = [P.published_at >= start, P.published_at < end]
    if region is not None:
        where.append(P.region.is_(None) if region == "" else P.region == region)
    return where


def contract_range(region: str | None, first: date, last: date) -> list[ColumnElement[bool]]:
    """Contracts of `region` signed from `first` to `last`, both inclusive."""
    C = Contract
    where = [C.signed_on >= first, C.signed_on <= last]
    if region is not None:
        where.append(C.region.is_(None) if region == "" else C.region == region)
    return where


def _insert(table: Any, source: Select[Any]) -> Executable:
    return insert(table).from_select([c.name for c in source.selected_columns], source)


def rebuild_statements(dialect: str) -> list[Executable]:
    """Every cell from scratch (used by the migration and after very large imports)."""
    out: list[Executable] = []
    for tables in TABLES.values():
        for table, cells in tables:
            out += [delete(table), _insert(table, cells(dialect))]
    return out


def cell_statements(dialect: str, kind: str, region: str, month: str) -> list[Executable]:
    first, after = _month_bounds(month)
    if kind == PROCEDURES:
        where = procedure_range(
            region,
            datetime.combine(first, datetime.min.time(), UTC),
            datetime.combine(after, datetime.min.time(), UTC),
        )
    else:
        where = contract_range(region, first, after - timedelta(days=1))
    out: list[Executable] = []
    for table, cells in TABLES[kind]:
        out.append(delete(table).where(table.region == region, table.month == month))
        out.append(_insert(table, cells(dialect, *where)))
    return out


async def refresh_dirty(
    session: AsyncSession, failed: list[tuple[str, str, str, str]] | None = None
) -> int:
    """Recompute the cells listed in `stat_dirty` and forget them; returns how many. The
    caller commits. On PostgreSQL an advisory lock keeps two refreshes from interleaving.

    A cell that cannot be recomputed (a database error in its SELECT) never blocks the
    others: all cells go in one savepoint, and when that fails each cell gets its own; a
    failing cell stays in `stat_dirty` and is appended to `failed` as (kind, region, month,
    reason)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        await session.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_ID})"))
    dirty = [
        (str(k), str(r), str(m))
        for k, r, m in (
            await session.execute(select(StatDirty.kind, StatDirty.region, StatDirty.month))
        ).all()
    ]
    if not dirty:
        return 0
    try:
        async with session.begin_nested():
            if len(dirty) > FULL_REBUILD_CELLS:
                statements = rebuild_statements(dialect)
            else:
                statements = [s for cell in dirty for s in cell_statements(dialect, *cell)]
            for statement in statements:
                await session.execute(statement)
        done = dirty
    except DBAPIError:
        done = []
        for cell in dirty:
            try:
                async with session.begin_nested():
                    for statement in cell_statements(dialect, *cell):
                        await session.execute(statement)
            except DBAPIError as exc:
                reason = " ".join(str(exc.orig).split())[:120]
                log.error("statistics cell %s %s %s not refreshed: %s", *cell, reason)
                if failed is not None:
                    failed.append((*cell, reason))
            else:
                done.append(cell)
    for start in range(0, len(done), 300):
        await session.execute(
            delete(StatDirty).where(
                tuple_(StatDirty.kind, StatDirty.region, StatDirty.month).in_(
                    done[start : start + 300]
                )
            )
        )
    return len(done)


async def rebuild(session: AsyncSession) -> None:
    """Recompute every cell now (after rows were changed outside the importer). Caller commits."""
    for statement in rebuild_statements(session.get_bind().dialect.name):
        await session.execute(statement)
    await session.execute(delete(StatDirty))
