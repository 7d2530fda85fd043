"""Bringing procurement data in: a watched directory, the EIS service, one number on demand."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.importer.batches import ImportSummary, import_files
from bot.sources.base import DirectorySource, Source
from bot.sources.parallel import parse_bounded as parse_bounded
from bot.sources.records import ParsedFile

log = logging.getLogger("smebot.sync")


def _parsed(paths: list[Path]) -> Iterator[ParsedFile]:
    """Parsed in a worker process capped at PARSE_MEMORY_MB: a hostile document is refused
    with a reason instead of growing the bot's own process."""
    return parse_bounded(paths)


async def in_thread(files: Iterator[ParsedFile]) -> AsyncIterator[ParsedFile]:
    """Wait for the parser in a worker thread: the running bot keeps answering (and its
    sender keeps its pace) while a big EIS download is parsed."""
    done = object()
    while True:
        item = await asyncio.to_thread(next, files, done)
        if item is done:
            return
        assert isinstance(item, ParsedFile)
        yield item


async def import_paths(
    sessionmaker: async_sessionmaker[AsyncSession], paths: list[Path], now: Callable[[], datetime]
) -> ImportSummary:
    return await import_files(sessionmaker, in_thread(_parsed(paths)), now=now)


async def sync_directory(
    sessionmaker: async_sessionmaker[AsyncSession],
    source: DirectorySource,
    now: Callable[[], datetime],
) -> ImportSummary:
    """Import the files that appeared in IMPORT_DIR since the last run; they are recorded as
    taken in only after their import has committed (an error leaves them to the next run)."""
    paths = source.fetch_new()
    summary = await import_paths(sessionmaker, paths, now)
    source.done(paths)
    if paths:
        log.info("import dir: %s", summary.as_dict() | {"errors": len(summary.errors)})
    return summary


async def sync_days(
    sessionmaker: async_sessionmaker[AsyncSession],
    source: Source,
    regions: list[str],
    days: list[date],
    now: Callable[[], datetime],
    scratch: Path,
) -> ImportSummary:
    """Fetch and import each region and day from the EIS; downloads are removed afterwards."""
    total = ImportSummary()
    for region in regions:
        for day in days:
            paths = await source.fetch_day(region, day)
            summary = await import_paths(sessionmaker, paths, now)
            for path in paths:
                path.unlink(missing_ok=True)
            _add(total, summary)
    shutil.rmtree(scratch, ignore_errors=True)
    return total


async def fetch_number(
    sessionmaker: async_sessionmaker[AsyncSession],
    source: Source,
    number: str,
    now: Callable[[], datetime],
) -> ImportSummary:
    """A user asked for a number we do not have: fetch its documents from the EIS."""
    paths = await source.fetch_number(number)
    try:
        return await import_paths(sessionmaker, paths, now)
    finally:
        for path in paths:
            path.unlink(missing_ok=True)


def _add(total: ImportSummary, part: ImportSummary) -> None:
    total.files += part.files
    total.documents += part.documents
    total.procedures += part.procedures
    total.contracts += part.contracts
    total.skipped += part.skipped
    total.errors.extend(part.errors)
