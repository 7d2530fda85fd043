"""Procurement statistics: SQL aggregates checked against a plain-Python recomputation over
the imported rows (terminated and foreign-currency rows, no data, bad regions), and the cells
the importer refreshes equal to a full rebuild."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.errors import BadInput
from bot.services.stats import cells as stats_cells
from bot.services.stats.cache import clear_cache, get_stats
from bot.services.stats.cells import RUB_CODES
from bot.services.stats.compute import NO_PLATFORM, TOP_N, compute_stats
from bot.services.stats.period import Period, StatsQuery, make_period
from bot.services.stats.regions import parse_region
from bot.services.stats.result import ratio
from models import Contract, Procedure
from tests.support.demo import NOW, load_demo
from tests.support.stats import cells_snapshot

TODAY = NOW.date()
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31), "year")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def _rub(amount: Decimal | None, currency: str) -> Decimal:
    return amount if amount is not None and currency in RUB_CODES else Decimal(0)


async def expected(session: AsyncSession, region: str | None, period: Period) -> dict[str, Any]:
    """The figures recomputed in plain Python over every row of both tables."""
    start = datetime.combine(period.start, datetime.min.time(), UTC)
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), UTC)
    procs = [
        p
        for p in (await session.execute(select(Procedure))).scalars()
        if p.published_at is not None
        and start <= p.published_at < end
        and (region is None or p.region == region)
    ]
    contracts = [
        c
        for c in (await session.execute(select(Contract))).scalars()
        if c.signed_on is not None
        and period.start <= c.signed_on <= period.end
        and (region is None or c.region == region)
    ]
    total = sum((_rub(p.max_price, p.currency) for p in procs), Decimal(0))

    def split(key: Any) -> list[tuple[str, int, Decimal]]:
        acc: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
        for p in procs:
            acc[key(p)][0] += 1
            acc[key(p)][1] += _rub(p.max_price, p.currency)
        return sorted(((k, v[0], v[1]) for k, v in acc.items()), key=lambda t: (-t[1], -t[2], t[0]))

    def top(key: Any) -> list[tuple[str, int, Decimal]]:
        rows = split(key)
        return sorted(rows, key=lambda t: (-t[2], -t[1], t[0]))[:TOP_N]

    smp = [p for p in procs if p.smp_only]
    smp_contracts = [c for c in contracts if c.supplier_is_smp]
    c_total = sum((_rub(c.price, c.currency) for c in contracts), Decimal(0))
    monthly_p: defaultdict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for p in procs:
        assert p.published_at is not None
        monthly_p[p.published_at.astimezone(UTC).strftime("%Y-%m")][0] += 1
        monthly_p[p.published_at.astimezone(UTC).strftime("%Y-%m")][1] += _rub(
            p.max_price, p.currency
        )
    monthly_c: defaultdict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for c in contracts:
        assert c.signed_on is not None
        monthly_c[c.signed_on.strftime("%Y-%m")][0] += 1
        monthly_c[c.signed_on.strftime("%Y-%m")][1] += _rub(c.price, c.currency)
    return {
        "count": len(procs),
        "total": total,
        "smp_count": len(smp),
        "smp_total": sum((_rub(p.max_price, p.currency) for p in smp), Decimal(0)),
        "by_law": split(lambda p: p.law),
        "by_method": split(lambda p: p.method),
        "by_platform": split(lambda p: p.platform_name or NO_PLATFORM),
        "customers": top(lambda p: p.customer_inn or p.customer_name),
        "okpd2": top(lambda p: (p.okpd2_main or "—")[:2]),
        "c_count": len(contracts),
        "c_total": c_total,
        "c_smp_count": len(smp_contracts),
        "c_smp_total": sum((_rub(c.price, c.currency) for c in smp_contracts), Decimal(0)),
        "executed": sum(1 for c in contracts if c.status_code == "EC"),
        "terminated": sum(1 for c in contracts if c.status_code == "ET"),
        "overdue": sum(
            1
            for c in contracts
            if c.execution_end is not None
            and c.execution_end < TODAY
            and c.status_code not in ("EC", "ET")
        ),
        "monthly_p": {k: (v[0], v[1]) for k, v in monthly_p.items()},
        "monthly_c": {k: (v[0], v[1]) for k, v in monthly_c.items()},
    }


def _rows(shares: Any) -> list[tuple[str, int, Decimal]]:
    return [(s.key, s.count, s.total) for s in shares]


@pytest.mark.parametrize(
    ("region", "period"),
    [
        ("74", YEAR),
        (None, YEAR),
        ("74", Period(date(2026, 11, 1), date(2026, 11, 30), "month")),
        ("74", Period(date(2026, 10, 5), date(2026, 11, 10), "custom")),
    ],
)
async def test_figures_match_plain_python(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    tmp_path: Path,
    region: str | None,
    period: Period,
) -> None:
    await load_demo(sessionmaker, tmp_path, count=150)
    got = await compute_stats(session, StatsQuery(region, period), TODAY)
    want = await expected(session, region, period)
    assert want["count"] > 0 and want["c_count"] > 0
    p, c = got.procedures, got.contracts
    assert (p.count, p.total_max_price) == (want["count"], want["total"])
    assert (p.smp_only_count, p.smp_only_total) == (want["smp_count"], want["smp_total"])
    assert p.smp_only_share == ratio(want["smp_count"], want["count"])
    assert _rows(got.by_law) == want["by_law"]
    assert _rows(got.by_method) == want["by_method"]
    assert _rows(got.by_platform) == want["by_platform"]
    assert sum(s.share for s in got.by_platform) == pytest.approx(1, abs=0.01)
    assert _rows(got.top_customers) == want["customers"]
    assert _rows(got.top_okpd2) == want["okpd2"]
    assert (c.count, c.total_price) == (want["c_count"], want["c_total"])
    assert (c.smp_supplier_count, c.smp_supplier_total) == (
        want["c_smp_count"],
        want["c_smp_total"],
    )
    assert (c.executed, c.terminated, c.overdue) == (
        want["executed"],
        want["terminated"],
        want["overdue"],
    )
    assert c.executed > 0 or c.overdue > 0 or c.count - c.executed - c.terminated > 0
    months = {m.month: m for m in got.monthly}
    assert [m.month for m in got.monthly] == period.months()
    for key, (n, total) in want["monthly_p"].items():
        assert (months[key].procedures, months[key].procedures_total) == (n, total)
    for key, (n, total) in want["monthly_c"].items():
        assert (months[key].contracts, months[key].contracts_total) == (n, total)
    assert sum(m.procedures for m in got.monthly) == p.count
    assert sum(m.contracts for m in got.monthly) == c.count


async def test_terminated_and_foreign_currency_rows(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    """Hand-made edge rows: ET/EC/overdue contracts, a foreign currency, no platform."""
    await load_demo(sessionmaker, tmp_path, count=20)
    first = (await session.execute(select(Contract).order_by(Contract.id))).scalars().all()
    assert len(first) >= 3
    first[0].status_code = "ET"
    first[1].status_code = "EC"
    first[2].status_code = None
    first[2].execution_end = TODAY - timedelta(days=1)
    proc = (await session.execute(select(Procedure).order_by(Procedure.id))).scalars().first()
    assert proc is not None
    proc.currency = "USD"
    proc.platform_name = None
    await session.commit()
    await stats_cells.rebuild(session)  # rows changed outside the importer
    await session.commit()
    got = await compute_stats(session, StatsQuery("74", YEAR), TODAY)
    want = await expected(session, "74", YEAR)
    assert got.contracts.terminated == want["terminated"] >= 1
    assert got.contracts.executed == want["executed"] >= 1
    assert got.contracts.overdue == want["overdue"] >= 1
    assert got.procedures.total_max_price == want["total"]
    assert any(s.key == NO_PLATFORM for s in got.by_platform)


async def test_no_data_and_unknown_region(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=10)
    empty = await get_stats(session, StatsQuery("66", YEAR), NOW)  # a valid region without rows
    assert empty.empty and empty.procedures.count == 0 and empty.contracts.total_price == 0
    old = await get_stats(session, StatsQuery("74", make_period("year", date(2015, 3, 1))), NOW)
    assert old.empty
    with pytest.raises(BadInput):
        parse_region("00")
    with pytest.raises(BadInput):
        parse_region("Атлантида")
    assert parse_region("all") is None and parse_region("", "74") == "74"
    assert parse_region("2") == "02"


async def test_importer_keeps_cells_equal_to_a_full_rebuild(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    """New versions that move a notice to another month and region, a contract to another
    month, an execution document that terminates a contract, through both import paths (bulk
    and document by document): the cells the importer refreshed equal a rebuild from scratch,
    and nothing is left dirty."""
    from dataclasses import replace as dc_replace

    from bot.services.importer.batches import import_files
    from bot.services.importer.documents import apply_document
    from bot.sources.records import ContractRecord, ExecutionRecord, ParsedFile, ProcedureRecord
    from models import StatDirty

    await load_demo(sessionmaker, tmp_path, count=40)
    procs = (await session.execute(select(Procedure).order_by(Procedure.id))).scalars().all()
    contracts = (await session.execute(select(Contract).order_by(Contract.id))).scalars().all()
    assert len(procs) >= 4 and len(contracts) >= 2

    def notice(p: Procedure, **changes: Any) -> ProcedureRecord:
        rec = ProcedureRecord(
            number=p.number, law=p.law, doc_type=p.doc_type, method=p.method, title=p.title,
            customer_name=p.customer_name, customer_inn=p.customer_inn,
            customer_kpp=p.customer_kpp, region=p.region, platform_name=p.platform_name,
            platform_url=p.platform_url, max_price=p.max_price, currency=p.currency,
            published_at=p.published_at, applications_end=p.applications_end,
            auction_at=p.auction_at, summarizing_at=p.summarizing_at, smp_only=p.smp_only,
            version=p.version + 1, source_hash=f"moved-{p.number}", auction_on=p.auction_on,
            summarizing_on=p.summarizing_on,
        )  # fmt: skip
        return dc_replace(rec, **changes)

    def contract(c: Contract, **changes: Any) -> ContractRecord:
        rec = ContractRecord(
            number=c.number, law=c.law, procedure_number=c.procedure_number,
            customer_name=c.customer_name, customer_inn=c.customer_inn,
            customer_kpp=c.customer_kpp, region=c.region, supplier_name=c.supplier_name,
            supplier_inn=c.supplier_inn, supplier_is_smp=c.supplier_is_smp, price=c.price,
            currency=c.currency, signed_on=c.signed_on, execution_start=c.execution_start,
            execution_end=c.execution_end, status_code=c.status_code,
            version=c.version + 1, source_hash=f"moved-{c.number}",
        )  # fmt: skip
        return dc_replace(rec, **changes)

    async def imported_equals_rebuilt(*docs: Any) -> dict[str, list[tuple[Any, ...]]]:
        parsed = ParsedFile("changes.xml")
        parsed.documents += docs
        summary = await import_files(sessionmaker, [parsed], now=lambda: NOW)
        assert summary.errors == [] and summary.skipped == 0
        return await refreshed_equals_rebuilt()

    async def refreshed_equals_rebuilt() -> dict[str, list[tuple[Any, ...]]]:
        count = select(func.count()).select_from(StatDirty)
        assert (await session.execute(count)).scalar_one() == 0
        kept = await cells_snapshot(session)
        await stats_cells.rebuild(session)
        await session.commit()
        assert await cells_snapshot(session) == kept
        return kept

    earlier = timedelta(days=62)
    assert procs[0].published_at is not None and contracts[0].signed_on is not None
    session.expunge_all()
    # one change per import, so no other change refreshes the cell a bug would leave stale
    kept = await imported_equals_rebuilt(
        notice(procs[0], published_at=procs[0].published_at - earlier, region="66")
    )
    assert any(row[0] == "66" for row in kept["stat_procedures"])
    await imported_equals_rebuilt(
        notice(procs[1], smp_only=not procs[1].smp_only, max_price=Decimal("12345.67"))
    )
    await imported_equals_rebuilt(
        contract(contracts[0], signed_on=contracts[0].signed_on - earlier, supplier_is_smp=True)
    )
    await imported_equals_rebuilt(
        ExecutionRecord(
            contracts[1].number, contracts[1].law, "contractProcedure", "ET", source_hash="et"
        )
    )
    # the document-by-document path (used when a bulk batch fails)
    async with sessionmaker() as other:
        moved = notice(procs[2], published_at=NOW - timedelta(days=400), region=None)
        assert await apply_document(other, moved, NOW) == "procedure"
        await stats_cells.save_dirty(other)
        await other.commit()
        assert await stats_cells.refresh_dirty(other) == 2
        await other.commit()
    kept = await refreshed_equals_rebuilt()
    assert any(row[0] == "" for row in kept["stat_procedures"])
    # and the figures still equal the plain recomputation
    got = await compute_stats(session, StatsQuery("74", YEAR), TODAY)
    want = await expected(session, "74", YEAR)
    assert (got.procedures.count, got.procedures.total_max_price) == (want["count"], want["total"])
    assert got.contracts.terminated == want["terminated"] >= 1


async def test_figures_never_lag_an_import_whose_cells_are_not_recomputed_yet(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    """Between the commit of an import's rows and the refresh of their cells (a window a busy
    machine stretches to seconds), the months with a dirty cell are read from the base
    tables: /stats shows what is committed, not an empty or an older picture."""
    from dataclasses import replace as dc_replace

    from bot.services.importer.documents import apply_document
    from bot.sources.records import ProcedureRecord

    await load_demo(sessionmaker, tmp_path, count=20)
    p = (await session.execute(select(Procedure).order_by(Procedure.id))).scalars().first()
    assert p is not None and p.published_at is not None
    session.expunge_all()
    moved = ProcedureRecord(
        number=f"{p.number[:-3]}999", law=p.law, doc_type=p.doc_type, method=p.method,
        title="Новая закупка", customer_name=p.customer_name, customer_inn=p.customer_inn,
        customer_kpp=p.customer_kpp, region="74", platform_name=p.platform_name,
        platform_url=p.platform_url, max_price=Decimal("777000.00"), currency="RUB",
        published_at=datetime(2026, 3, 10, 9, tzinfo=UTC), applications_end=None,
        auction_at=None, summarizing_at=None, smp_only=True, version=1, source_hash="new",
    )  # fmt: skip
    async with sessionmaker() as writer:
        assert await apply_document(writer, dc_replace(moved), NOW) == "procedure"
        await stats_cells.save_dirty(writer)
        await writer.commit()  # the rows are in; their cells are not recomputed yet
    for period in (YEAR, Period(date(2026, 3, 1), date(2026, 3, 31), "month")):
        got = await compute_stats(session, StatsQuery("74", period), TODAY)
        want = await expected(session, "74", period)
        assert (got.procedures.count, got.procedures.total_max_price) == (
            want["count"],
            want["total"],
        )
        assert (got.procedures.smp_only_count, got.contracts.count) == (
            want["smp_count"],
            want["c_count"],
        )
    march = await compute_stats(
        session, StatsQuery("74", Period(date(2026, 3, 1), date(2026, 3, 31), "month")), TODAY
    )
    assert march.procedures.count >= 1
    async with sessionmaker() as refresher:
        assert await stats_cells.refresh_dirty(refresher) >= 1
        await refresher.commit()
    after = await compute_stats(session, StatsQuery("74", YEAR), TODAY)
    assert after.procedures.count == (await expected(session, "74", YEAR))["count"]
