"""Procurement data at scale: import rate, look-up by number, keyword search with filters,
resident memory. Generates EIS-format XML in memory with the demo generator and imports it
through the same parser and importer as real data into a SQLite file.

Run: .venv/bin/python -m benchmarks.procurement [--procedures 1000000] [--contracts 300000]
Targets (issue 4): import ≥ 3,000 documents/s, look-up p99 ≤ 5 ms, keyword search p99 ≤ 100 ms,
memory ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from bot.db import create_engine, create_sessionmaker, upgrade
from bot.services.importer import import_files
from bot.services.procurement import SearchFilters, get_procedure, search_procedures
from bot.sources.demo import DemoGenerator
from bot.sources.eis import parse_xml
from bot.sources.records import ParsedFile, SourceError

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
GENERATION = [0.0]  # seconds spent writing demo XML: not part of the import
QUERIES = ["поставка бумаги", "ремонт кровли", "услуги охраны", "продукты питания", "мебель",
           "компьютерная техника", "лекарственные препараты", "уборка помещений", "бензин", "спецодежда"]  # fmt: skip


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def documents(
    procedures: int, contracts: int, progress: Progress, task: object
) -> Iterator[ParsedFile]:
    """One ParsedFile per generated document, parsed from its XML bytes."""
    gen = DemoGenerator("74", seed=1, now=NOW)
    gen.rng = random.Random(1)
    share = contracts / procedures if procedures else 0
    made_contracts = 0
    for serial in range(1, procedures + 1):
        t = time.perf_counter()
        name, xml, facts = gen.notice(serial % 1_000_000)
        facts["number"] = f"{serial:019d}"
        xml = xml.replace(f">{name.split('_')[1]}<", f">{serial:019d}<")
        GENERATION[0] += time.perf_counter() - t
        yield _parsed(name, xml)
        progress.advance(task)  # type: ignore[arg-type]
        if made_contracts < contracts and gen.rng.random() < share:
            made_contracts += 1
            t = time.perf_counter()
            contract_name, contract_xml, _executions = gen.contract(facts, serial % 1_000_000)
            GENERATION[0] += time.perf_counter() - t
            yield _parsed(contract_name, contract_xml)


def _parsed(name: str, xml: str) -> ParsedFile:
    result = ParsedFile(name)
    for item in parse_xml(io.BytesIO(xml.encode()), name):
        if isinstance(item, SourceError):
            result.errors.append(item)
        else:
            result.documents.append(item)
    return result


def percentiles(timings: list[float]) -> tuple[float, float]:
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.99) - 1)]


async def main(procedures: int, contracts: int, db: Path) -> None:
    url = f"sqlite+aiosqlite:///{db}"
    engine = create_engine(url)
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    with Progress(
        TextColumn("импорт"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
    ) as progress:
        task = progress.add_task("import", total=procedures)
        start = time.perf_counter()
        summary = await import_files(
            sessionmaker,
            documents(procedures, contracts, progress, task),
            now=lambda: NOW,
            batch=2000,
        )
        seconds = time.perf_counter() - start - GENERATION[0]
    peak_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = summary.documents / seconds
    print(
        f"imported {summary.documents:,} documents ({summary.procedures:,} procedures, "
        f"{summary.contracts:,} contracts, {len(summary.errors)} errors) in {seconds:.1f} s"
    )
    print(
        f"import rate (XML parsing + database, demo generation excluded): {rate:,.0f} documents/s"
        f"  (target 3,000: ratio {rate / 3000:.2f})"
    )

    rng = random.Random(5)
    lookups: list[float] = []
    async with sessionmaker() as session:
        for _ in range(2000):
            number = f"{rng.randint(1, procedures):019d}"
            t = time.perf_counter()
            await get_procedure(session, number, NOW)
            lookups.append((time.perf_counter() - t) * 1000)
    p50, p99 = percentiles(lookups)
    print(
        f"look-up by number: p50 {p50:.2f} ms, p99 {p99:.2f} ms  (target p99 5 ms: ratio {p99 / 5:.2f})"
    )

    searches: list[float] = []
    filters = [
        SearchFilters(region="74"),
        SearchFilters(region="74", smp_only=True),
        SearchFilters(region="74", accepting_only=True, max_price=Decimal(1_000_000)),
        SearchFilters(),
    ]
    async with sessionmaker() as session:
        for i in range(200):
            t = time.perf_counter()
            await search_procedures(
                session, QUERIES[i % len(QUERIES)], filters[i % len(filters)], NOW
            )
            searches.append((time.perf_counter() - t) * 1000)
    s50, s99 = percentiles(searches)
    print(
        f"keyword search with filters: p50 {s50:.1f} ms, p99 {s99:.1f} ms  (target p99 100 ms: ratio {s99 / 100:.2f})"
    )
    print(
        f"resident memory after the run: {rss_mb():.0f} MB; peak during import {peak_import:.0f} MB  "
        f"(target 300 MB: ratio {max(rss_mb(), peak_import) / 300:.2f})"
    )
    size = await asyncio.to_thread(lambda: db.stat().st_size)
    print(f"database file: {size / 1024 / 1024:.0f} MB")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procedures", type=int, default=1_000_000)
    parser.add_argument("--contracts", type=int, default=300_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp(prefix="smebot-bench-")) / "bench.db"
    asyncio.run(main(args.procedures, args.contracts, db))
