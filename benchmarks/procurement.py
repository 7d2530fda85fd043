"""Procurement data at scale: import rate, look-up by number, keyword search with filters,
resident memory. Writes EIS-format XML made by the demo generator into zip archives (not
timed), then imports them the way `smebot import` does: parser processes
(`bot/sources/parallel.py`) feeding the importer, into a SQLite file or a PostgreSQL database.

Run: .venv/bin/python -m benchmarks.procurement [--procedures 1000000] [--contracts 300000]
     [--workers N] [--data DIR (archives kept and reused)] [--db FILE]
     [--backend postgresql [--url postgresql+asyncpg://postgres@127.0.0.1:5432/smebot_bench]]
     (the PostgreSQL database is dropped and created afresh)
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
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import create_engine, create_sessionmaker, upgrade
from bot.services.importer.batches import import_files
from bot.services.procurement import SearchFilters, get_procedure, search_procedures
from bot.sources.demo import DemoGenerator
from bot.sources.eis.stream import parse_xml
from bot.sources.parallel import default_workers, parse_paths
from bot.sources.records import ParsedFile, SourceError

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
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
    """One ParsedFile per generated document, parsed from its XML bytes in this process."""
    for name, xml in xml_documents(procedures, contracts, progress, task):
        yield _parsed(name, xml)


ARCHIVE_DOCS = 10_000


def write_archives(procedures: int, contracts: int, directory: Path) -> None:
    """The generated documents as zip archives of ARCHIVE_DOCS members each."""
    directory.mkdir(parents=True, exist_ok=True)
    with Progress(
        TextColumn("генерация XML"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
    ) as progress:  # fmt: skip
        task = progress.add_task("xml", total=procedures)
        archive: zipfile.ZipFile | None = None
        for i, (name, xml) in enumerate(xml_documents(procedures, contracts, progress, task)):
            if i % ARCHIVE_DOCS == 0:
                if archive is not None:
                    archive.close()
                path = directory / f"part-{i // ARCHIVE_DOCS:05d}.zip"
                archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
            assert archive is not None
            archive.writestr(f"{i:08d}_{name}", xml)
        if archive is not None:
            archive.close()
    (directory / "COMPLETE").write_text(f"{procedures} {contracts}\n")


def xml_documents(
    procedures: int, contracts: int, progress: Progress, task: object
) -> Iterator[tuple[str, str]]:
    """(file name, XML) of every generated notice and contract."""
    gen = DemoGenerator("74", seed=1, now=NOW)
    gen.rng = random.Random(1)
    share = contracts / procedures if procedures else 0
    made_contracts = 0
    for serial in range(1, procedures + 1):
        name, xml, facts = gen.notice(serial % 1_000_000)
        facts["number"] = f"{serial:019d}"
        xml = xml.replace(f">{name.split('_')[1]}<", f">{serial:019d}<")
        yield name, xml
        progress.advance(task)  # type: ignore[arg-type]
        if made_contracts < contracts and gen.rng.random() < share:
            made_contracts += 1
            contract_name, contract_xml, _executions = gen.contract(facts, serial % 1_000_000)
            yield contract_name, contract_xml


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


def prepare(procedures: int, contracts: int, data: Path) -> list[Path]:
    """The archives of this size, written once (reused when `data` already holds them)."""
    marker = data / "COMPLETE"
    if not marker.exists() or marker.read_text().split() != [str(procedures), str(contracts)]:
        write_archives(procedures, contracts, data)
    return sorted(data.glob("*.zip"))


async def fresh_postgres(url: str) -> None:
    """Drop and create the benchmark's PostgreSQL database (never the one tests use)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres").render_as_string(hide_password=False))
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    await admin.dispose()


async def measure_import(
    sessionmaker: async_sessionmaker[AsyncSession], archives: list[Path], workers: int
) -> float:
    with Progress(
        TextColumn(f"импорт ({workers} процесса разбора)" if workers else "импорт"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} архивов"),
        TimeRemainingColumn(),
    ) as progress:
        task = progress.add_task("import", total=len(archives))
        done: set[str] = set()

        def on_file(parsed: ParsedFile) -> None:
            archive = parsed.file.split("!", 1)[0]
            if archive not in done:
                done.add(archive)
                progress.update(task, completed=len(done) - 1)

        start = time.perf_counter()
        summary = await import_files(
            sessionmaker,
            parse_paths(archives, workers),
            now=lambda: NOW,
            on_file=on_file,
            batch=2000,
        )
        seconds = time.perf_counter() - start
        progress.update(task, completed=len(archives))
    peak_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = summary.documents / seconds
    print(
        f"imported {summary.documents:,} documents ({summary.procedures:,} procedures, "
        f"{summary.contracts:,} contracts, {len(summary.errors)} errors) in {seconds:.1f} s"
    )
    print(
        f"import rate (unzip + XML parsing in {workers} worker process(es) + database): "
        f"{rate:,.0f} documents/s"
        f"  (target 3,000: ratio {rate / 3000:.2f})"
    )
    return peak_import


async def main(
    procedures: int, url: str, archives: list[Path], workers: int, *, reuse: bool
) -> None:
    if url.startswith("postgresql") and not reuse:
        await fresh_postgres(url)
    engine = create_engine(url)
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    peak_import = 0.0 if reuse else await measure_import(sessionmaker, archives, workers)

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
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"resident memory after the run: {rss_mb():.0f} MB; peak during import {peak_import:.0f} MB"
        f" (target 300 MB: ratio {max(rss_mb(), peak_import) / 300:.2f}); "
        f"largest parser process {workers_peak:.0f} MB"
    )
    if engine.dialect.name == "sqlite":
        size = await asyncio.to_thread(lambda: Path(engine.url.database or "").stat().st_size)
        print(f"database file: {size / 1024 / 1024:.0f} MB")
    else:
        async with engine.connect() as conn:
            query = text("SELECT pg_database_size(current_database())")
            size = (await conn.execute(query)).scalar_one()
        print(f"database size: {size / 1024 / 1024:.0f} MB")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procedures", type=int, default=1_000_000)
    parser.add_argument("--contracts", type=int, default=300_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=None, help="where the archives go")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument(
        "--reuse", action="store_true", help="measure look-ups and searches on --db/--url as is"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/smebot_bench"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="smebot-bench-"))
    if args.backend == "postgresql":
        if not args.reuse and make_url(args.url).database in ("test", "postgres", None):
            parser.error("--url must name a database of its own: it is dropped and created")
        url = args.url
    else:
        db = args.db or tmp / "bench.db"
        if db.exists() and not args.reuse:
            parser.error(f"{db} exists: the import rate needs an empty database")
        url = f"sqlite+aiosqlite:///{db}"
    archives = (
        [] if args.reuse else prepare(args.procedures, args.contracts, args.data or tmp / "xml")
    )
    print(f"backend: {args.backend}")
    asyncio.run(main(args.procedures, url, archives, args.workers, reuse=args.reuse))
