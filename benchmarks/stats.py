"""Statistics latency: one region and one year, computed without the answer cache (from the
monthly statistics cells the importer maintains), on a SQLite database built with
`benchmarks/procurement.py`'s generator.

Run: .venv/bin/python -m benchmarks.stats [--procedures 20000] [--contracts 6000]
     .venv/bin/python -m benchmarks.stats --db /tmp/smebot-bench-…/bench.db   (existing DB)
Target (statistics issue): p99 ≤ 2 s for one region-year (the issue's scale: 1M procedures).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from benchmarks.procurement import NOW, documents
from bot.db import create_engine, create_sessionmaker, upgrade
from bot.services.importer.batches import import_files
from bot.services.stats.cache import clear_cache, get_stats
from bot.services.stats.period import Period, StatsQuery, make_period
from bot.ui.charts import stats_chart

TARGET_P99_MS = 2000.0


def percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.99) - 1)]


async def build(db: Path, procedures: int, contracts: int) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await upgrade(engine)
    with Progress(
        TextColumn("генерация и импорт"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
    ) as progress:
        task = progress.add_task("import", total=procedures)
        await import_files(
            create_sessionmaker(engine),
            documents(procedures, contracts, progress, task),
            now=lambda: NOW,
            batch=2000,
        )
    await engine.dispose()


async def main(db: Path, runs: int, region: str) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    t = time.perf_counter()
    await upgrade(engine)  # an older benchmark database gets its statistics cells filled here
    print(
        f"migrations (statistics cells filled from existing rows when new): "
        f"{time.perf_counter() - t:.1f} s"
    )
    sessionmaker = create_sessionmaker(engine)
    query = StatsQuery(region, make_period("year", NOW.date()))
    # a custom period with partial months: its edges are read from the base tables
    year = NOW.year
    custom = StatsQuery(region, Period(date(year, 3, 15), date(year, 9, 20), "custom"))
    timings: list[float] = []
    custom_timings: list[float] = []
    async with sessionmaker() as session:
        stats = await get_stats(session, query, NOW, use_cache=False)  # warm the page cache
        await get_stats(session, custom, NOW, use_cache=False)
        for _ in range(runs):
            t = time.perf_counter()
            stats = await get_stats(session, query, NOW, use_cache=False)
            timings.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            await get_stats(session, custom, NOW, use_cache=False)
            custom_timings.append((time.perf_counter() - t) * 1000)
        clear_cache()
        await get_stats(session, query, NOW)
        t = time.perf_counter()
        await get_stats(session, query, NOW)
        cached_ms = (time.perf_counter() - t) * 1000
    p50, p99 = percentiles(timings)
    t = time.perf_counter()
    png = stats_chart(stats) if not stats.empty else b""
    chart_ms = (time.perf_counter() - t) * 1000
    print(
        f"database: {db} — region {region}, {stats.period.start}..{stats.period.end}: "
        f"{stats.procedures.count:,} procedures, {stats.contracts.count:,} contracts"
    )
    print(
        f"statistics of one region-year, uncached ({runs} runs): p50 {p50:.0f} ms, "
        f"p99 {p99:.0f} ms  (target p99 {TARGET_P99_MS:.0f} ms: ratio {p99 / TARGET_P99_MS:.2f})"
    )
    c50, c99 = percentiles(custom_timings)
    print(
        f"custom period {custom.period.start}..{custom.period.end} (two partial months read "
        f"from the rows): p50 {c50:.0f} ms, p99 {c99:.0f} ms"
    )
    print(f"cached answer: {cached_ms:.3f} ms; chart PNG: {chart_ms:.0f} ms, {len(png):,} bytes")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procedures", type=int, default=20_000)
    parser.add_argument("--contracts", type=int, default=6_000)
    parser.add_argument("--db", type=Path, default=None, help="an existing benchmark database")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--region", default="74")
    args = parser.parse_args()
    if args.db is not None:
        if not args.db.exists():
            parser.error(f"{args.db} does not exist")
        db = args.db
    else:
        db = Path(tempfile.mkdtemp(prefix="smebot-bench-stats-")) / "bench.db"
        asyncio.run(build(db, args.procedures, args.contracts))
    asyncio.run(main(db, args.runs, args.region))
