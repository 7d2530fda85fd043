"""The figures of one query: grouped SELECTs over the monthly cells of its whole months and,
for the partial months of a custom period, over the base tables; Python merges the rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, FromClause, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats import cells
from bot.services.stats.okpd2 import OKPD2_GROUPS
from bot.services.stats.period import Period, StatsQuery, month_end
from bot.services.stats.regions import region_name
from bot.services.stats.result import (
    ContractTotals,
    MonthPoint,
    ProcedureTotals,
    Share,
    Stats,
    ratio,
)
from models import StatContracts, StatCustomers, StatDirty, StatOkpd2, StatProcedures

TOP_N = 10
KOPECK = Decimal("0.01")
NO_PLATFORM = "не указана"
LAW_NAMES = {"44": "44-ФЗ", "223": "223-ФЗ"}

Groups = dict[str, list[Any]]  # {key: [count, kopecks, name]}


def _money(kop: Any) -> Decimal:
    """Whole kopecks (an int, a PostgreSQL NUMERIC sum or None) as roubles."""
    return (Decimal(int(kop or 0)) / 100).quantize(KOPECK)


def _utc_bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.start, dtime.min, UTC)
    end = datetime.combine(period.end + timedelta(days=1), dtime.min, UTC)
    return start, end


def _split(groups: Groups, count: int, total: Decimal) -> tuple[Share, ...]:
    """Shares from {key: [count, kopecks, name]} ordered by count desc, then money, then key."""
    rows = sorted(groups.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    return tuple(_share(k, v, count, total) for k, v in rows)


def _top(groups: Groups, count: int, total: Decimal) -> tuple[Share, ...]:
    """The TOP_N groups by money, then count, then key."""
    rows = sorted(groups.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:TOP_N]
    return tuple(_share(k, v, count, total) for k, v in rows)


def _share(key: str, acc: list[Any], count: int, total: Decimal) -> Share:
    money = _money(acc[1])
    return Share(key, acc[2], acc[0], money, ratio(acc[0], count), ratio(money, total))


def _add(groups: Groups, key: str, name: str, n: Any, kop: Any) -> None:
    acc = groups.setdefault(key, [0, 0, name])
    acc[0] += int(n)
    acc[1] += int(kop or 0)
    acc[2] = max(acc[2], name)


@dataclass(frozen=True, slots=True)
class _Source:
    """One part of a period's figures: the monthly cells of its whole months, or, for the
    partial months of a custom period, the base tables through the same grouped SELECTs."""

    procedures: FromClause
    okpd2: FromClause
    customers: FromClause
    contracts: FromClause
    where: Callable[[FromClause], list[ColumnElement[bool]]]


def _month_first(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _sources(query: StatsQuery, dialect: str, live: frozenset[str] = frozenset()) -> list[_Source]:
    """The monthly cells of the period's whole months, and the base tables (through the same
    grouped SELECTs) for its partial months and for the months in `live`: cells an import has
    changed but not yet recomputed, so the figures never lag the committed data."""
    period, region = query.period, query.region
    full: list[str] = []
    ranges: list[tuple[date, date]] = []
    for m in period.months():
        whole = (_month_first(m), month_end(_month_first(m)))
        first, last = max(whole[0], period.start), min(whole[1], period.end)
        if (first, last) == whole and m not in live:
            full.append(m)
        elif ranges and ranges[-1][1] + timedelta(days=1) == first:
            ranges[-1] = (ranges[-1][0], last)
        else:
            ranges.append((first, last))
    out: list[_Source] = []
    if full:

        def cells_of(table: FromClause) -> list[ColumnElement[bool]]:
            where: list[ColumnElement[bool]] = [table.c.month.in_(full)]
            if region is not None:
                where.append(table.c.region == region)
            return where

        out.append(
            _Source(
                StatProcedures.__table__,
                StatOkpd2.__table__,
                StatCustomers.__table__,
                StatContracts.__table__,
                cells_of,
            )
        )
    for first, last in ranges:
        start, end = _utc_bounds(Period(first, last))
        p_where = cells.procedure_range(region, start, end)
        c_where = cells.contract_range(region, first, last)
        out.append(
            _Source(
                cells.procedure_cells(dialect, *p_where).subquery(),
                cells.okpd2_cells(dialect, *p_where).subquery(),
                cells.customer_cells(dialect, *p_where).subquery(),
                cells.contract_cells(dialect, *c_where).subquery(),
                lambda table: [],  # noqa: ARG005  (the cell builders' signature)
            )
        )
    return out


async def _stale_months(session: AsyncSession, query: StatsQuery) -> frozenset[str]:
    """Months of the period with a cell of the query's region still in `stat_dirty`."""
    where: list[ColumnElement[bool]] = [StatDirty.month.in_(query.period.months())]
    if query.region is not None:
        where.append(StatDirty.region == query.region)
    rows = await session.execute(select(StatDirty.month).where(*where).distinct())
    return frozenset(str(m) for m in rows.scalars())


@dataclass
class _Acc:
    """The grouped rows of every source merged: totals, and the groups of each split."""

    p_n: int = 0
    p_kop: int = 0
    smp_n: int = 0
    smp_kop: int = 0
    laws: Groups = field(default_factory=dict)
    methods: Groups = field(default_factory=dict)
    platforms: Groups = field(default_factory=dict)
    p_months: Groups = field(default_factory=dict)
    customers: Groups = field(default_factory=dict)
    okpd: Groups = field(default_factory=dict)
    c_n: int = 0
    c_kop: int = 0
    c_smp_n: int = 0
    c_smp_kop: int = 0
    executed: int = 0
    terminated: int = 0
    overdue: int = 0
    c_months: Groups = field(default_factory=dict)


async def compute_stats(session: AsyncSession, query: StatsQuery, today: date) -> Stats:
    """Figures of `query` (no cache) from the monthly cells, plus the base tables for the
    partial months of a custom period and the months an import has not recomputed yet.
    Python only merges grouped rows."""
    live = await _stale_months(session, query)
    sources = _sources(query, session.get_bind().dialect.name, live)
    acc = _Acc()
    for src in sources:
        await _add_procedures(session, src, acc)
        # one source: the database can cut the list of customers itself
        await _add_customers(session, src, acc, cut=len(sources) == 1)
        await _add_okpd2(session, src, acc)
        await _add_contracts(session, src, acc)
        acc.overdue += await _overdue(session, src, today)
    return _stats(query, today, acc)


async def _add_procedures(session: AsyncSession, src: _Source, acc: _Acc) -> None:
    t = src.procedures
    for law, method, platform, smp_only, m, n, kop in await session.execute(
        select(
            t.c.law,
            t.c.method,
            t.c.platform,
            t.c.smp_only,
            t.c.month,
            func.sum(t.c.n),
            func.sum(t.c.kopecks),
        )
        .where(*src.where(t))
        .group_by(t.c.law, t.c.method, t.c.platform, t.c.smp_only, t.c.month)
    ):
        acc.p_n += int(n)
        acc.p_kop += int(kop or 0)
        if smp_only:
            acc.smp_n += int(n)
            acc.smp_kop += int(kop or 0)
        _add(acc.laws, law, LAW_NAMES.get(law, law), n, kop)
        _add(acc.methods, method, method, n, kop)
        _add(acc.platforms, platform or NO_PLATFORM, platform or NO_PLATFORM, n, kop)
        _add(acc.p_months, m, m, n, kop)


async def _add_customers(session: AsyncSession, src: _Source, acc: _Acc, *, cut: bool) -> None:
    t = src.customers
    top = (
        select(t.c.customer, func.max(t.c.name), func.sum(t.c.n), func.sum(t.c.kopecks))
        .where(*src.where(t))
        .group_by(t.c.customer)
    )
    if cut:
        top = top.order_by(
            func.sum(t.c.kopecks).desc(), func.sum(t.c.n).desc(), t.c.customer
        ).limit(TOP_N)
    for key, name, n, kop in await session.execute(top):
        _add(acc.customers, str(key), str(name), n, kop)


async def _add_okpd2(session: AsyncSession, src: _Source, acc: _Acc) -> None:
    t = src.okpd2
    for group, n, kop in await session.execute(
        select(t.c.grp, func.sum(t.c.n), func.sum(t.c.kopecks))
        .where(*src.where(t))
        .group_by(t.c.grp)
    ):
        _add(acc.okpd, str(group), OKPD2_GROUPS.get(str(group), f"группа {group}"), n, kop)


async def _add_contracts(session: AsyncSession, src: _Source, acc: _Acc) -> None:
    t = src.contracts
    for m, smp, state, n, kop in await session.execute(
        select(t.c.month, t.c.smp, t.c.state, func.sum(t.c.n), func.sum(t.c.kopecks))
        .where(*src.where(t))
        .group_by(t.c.month, t.c.smp, t.c.state)
    ):
        acc.c_n += int(n)
        acc.c_kop += int(kop or 0)
        if smp:
            acc.c_smp_n += int(n)
            acc.c_smp_kop += int(kop or 0)
        acc.executed += int(n) if state == "EC" else 0
        acc.terminated += int(n) if state == "ET" else 0
        _add(acc.c_months, m, m, n, kop)


async def _overdue(session: AsyncSession, src: _Source, today: date) -> int:
    """Contracts neither executed nor terminated whose execution end has passed."""
    t = src.contracts
    return int(
        (
            await session.execute(
                select(func.coalesce(func.sum(t.c.n), 0)).where(
                    *src.where(t), t.c.state == "", t.c.open_end < today
                )
            )
        ).scalar_one()
    )


def _stats(query: StatsQuery, today: date, acc: _Acc) -> Stats:
    count, total = acc.p_n, _money(acc.p_kop)
    return Stats(
        region=query.region,
        region_name=region_name(query.region),
        period=query.period,
        today=today,
        procedures=_procedure_totals(acc),
        by_law=_split(acc.laws, count, total),
        by_method=_split(acc.methods, count, total),
        by_platform=_split(acc.platforms, count, total),
        top_customers=_top(acc.customers, count, total),
        top_okpd2=_top(acc.okpd, count, total),
        contracts=_contract_totals(acc),
        monthly=_monthly(query.period, acc),
    )


def _procedure_totals(acc: _Acc) -> ProcedureTotals:
    count, total, smp_total = acc.p_n, _money(acc.p_kop), _money(acc.smp_kop)
    return ProcedureTotals(
        count, total, acc.smp_n, smp_total, ratio(acc.smp_n, count), ratio(smp_total, total)
    )


def _contract_totals(acc: _Acc) -> ContractTotals:
    c_total, c_smp_total = _money(acc.c_kop), _money(acc.c_smp_kop)
    return ContractTotals(
        count=acc.c_n,
        total_price=c_total,
        smp_supplier_count=acc.c_smp_n,
        smp_supplier_total=c_smp_total,
        smp_supplier_share=ratio(c_smp_total, c_total),
        executed=acc.executed,
        terminated=acc.terminated,
        overdue=acc.overdue,
    )


def _monthly(period: Period, acc: _Acc) -> tuple[MonthPoint, ...]:
    months = period.months()
    # months outside the period (should not happen) are still shown
    for m in list(acc.p_months) + list(acc.c_months):
        if m not in months:
            months.append(m)
    months.sort()
    return tuple(
        MonthPoint(
            m,
            acc.p_months.get(m, [0])[0],
            _money(acc.p_months.get(m, [0, 0])[1]),
            acc.c_months.get(m, [0])[0],
            _money(acc.c_months.get(m, [0, 0])[1]),
        )
        for m in months
    )
