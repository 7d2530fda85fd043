"""`import_files`: parsed files imported in batches, each batch in bulk inside a savepoint or,
when that fails, document by document; the summary of what went in."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.importer.bulk import CONTRACTS, PROCEDURES, bulk
from bot.services.importer.documents import apply_document
from bot.services.stats import cells as stats_cells
from bot.services.stats.cache import clear_cache as clear_stats_cache
from bot.sources.records import ContractRecord, Document, ParsedFile, ProcedureRecord, SourceError

log = logging.getLogger("smebot.importer")
ANALYZE_AFTER = 500  # imported rows after which planner statistics are refreshed


@dataclass
class ImportSummary:
    files: int = 0
    documents: int = 0
    procedures: int = 0
    contracts: int = 0
    skipped: int = 0
    errors: list[SourceError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "documents": self.documents,
            "procedures": self.procedures,
            "contracts": self.contracts,
            "skipped": self.skipped,
            "errors": [
                {
                    "file": e.file,
                    "reason": e.reason,
                    **({"document": e.document} if e.document else {}),
                }
                for e in self.errors
            ],
        }


def _describe(doc: Document) -> str:
    number = getattr(doc, "number", None) or getattr(doc, "procedure_number", None)
    number = number or getattr(doc, "contract_number", "?")
    return f"{type(doc).__name__.removesuffix('Record').lower()} {number}"


async def _each(
    parsed: Iterable[ParsedFile] | AsyncIterable[ParsedFile],
) -> AsyncIterator[ParsedFile]:
    if isinstance(parsed, AsyncIterable):
        async for item in parsed:
            yield item
    else:
        for item in parsed:
            yield item


async def import_files(
    sessionmaker: async_sessionmaker[AsyncSession],
    parsed: Iterable[ParsedFile] | AsyncIterable[ParsedFile],
    *,
    now: Callable[[], datetime],
    on_file: Callable[[ParsedFile], None] | None = None,
    batch: int = 500,
) -> ImportSummary:
    """Import documents in batches. Notices of a batch go in with a few bulk statements inside
    one savepoint; when that fails (or for other document types) every document gets its own
    savepoint, so a bad document is rolled back alone, reported, and the rest goes in. A
    document is never half-imported: its rows are written in one transaction."""
    summary = ImportSummary()
    buffer: list[tuple[str, Document]] = []
    async with sessionmaker() as session:
        async for parsed_file in _each(parsed):
            summary.files += 1
            summary.errors.extend(parsed_file.errors)
            for doc in parsed_file.documents:
                summary.documents += 1
                buffer.append((parsed_file.file, doc))
                if len(buffer) >= batch:
                    await _flush(session, buffer, summary, now())
                    buffer = []
            if on_file is not None:
                on_file(parsed_file)
        await _flush(session, buffer, summary, now())
        if summary.procedures + summary.contracts >= ANALYZE_AFTER:
            await _refresh_statistics(session)
        failed: list[tuple[str, str, str, str]] = []
        await stats_cells.refresh_dirty(session, failed)
        await session.commit()
        for kind, region, month, reason in failed:
            cell = f"{'procedures' if kind == 'p' else 'contracts'} {region or '-'} {month}"
            summary.errors.append(SourceError("statistics", reason, f"cell {cell}"))
    clear_stats_cache()
    return summary


async def _refresh_statistics(session: AsyncSession) -> None:
    """Fresh planner statistics after a big import: without them SQLite probes the FTS index
    row by row through the region index (seconds instead of milliseconds at 200k rows)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        await session.execute(text("ANALYZE"))
    elif dialect == "postgresql":
        await session.execute(text("ANALYZE procedures"))
        await session.execute(text("ANALYZE contracts"))
    await session.commit()


async def _flush(
    session: AsyncSession, buffer: list[tuple[str, Document]], summary: ImportSummary, now: datetime
) -> None:
    notices = [doc for _, doc in buffer if isinstance(doc, ProcedureRecord)]
    contracts = [doc for _, doc in buffer if isinstance(doc, ContractRecord)]
    rest: list[tuple[str, Document]] = [
        (file, doc) for file, doc in buffer if not isinstance(doc, ProcedureRecord | ContractRecord)
    ]
    try:
        async with session.begin_nested():
            p_applied, p_skipped = await bulk(session, PROCEDURES, notices, now)
            c_applied, c_skipped = await bulk(session, CONTRACTS, contracts, now)
    except Exception as exc:  # find the culprit document by document
        log.warning(
            "bulk import of %d documents failed (%s); importing one by one", len(buffer), exc
        )
        rest = buffer
    else:
        summary.procedures += p_applied
        summary.contracts += c_applied
        summary.skipped += p_skipped + c_skipped
    for file, doc in rest:
        await _apply_one(session, file, doc, summary, now)
    await stats_cells.save_dirty(session)
    await session.commit()


async def _apply_one(
    session: AsyncSession, file: str, doc: Document, summary: ImportSummary, now: datetime
) -> None:
    try:
        async with session.begin_nested():
            outcome = await apply_document(session, doc, now)
    except Exception as exc:  # one bad document must not stop the import
        reason = _reason(exc)
        summary.errors.append(SourceError(file, reason, _describe(doc)))
        return
    if outcome == "procedure":
        summary.procedures += 1
    elif outcome == "contract":
        summary.contracts += 1
    elif outcome == "skipped":
        summary.skipped += 1


def _reason(exc: Exception) -> str:
    """One line: a database error without the SQL statement it echoes."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        first = (str(exc.orig).strip().splitlines() or [""])[0]
        return f"database refused the document: {type(exc.orig).__name__}: {first}"[:200]
    return f"{type(exc).__name__}: {exc}"[:300]
