"""Import parsed procurement documents: idempotent, newest version wins, each document atomic."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import stats_cells
from bot.services.procurement import EXECUTION_ORDER, same_contract
from bot.services.stats.cache import clear_cache as clear_stats_cache
from bot.sources.records import (
    CANCELLED,
    FINISHED,
    ContractRecord,
    Document,
    ExecutionRecord,
    ParsedFile,
    ProcedureRecord,
    ProtocolRecord,
    SourceError,
)
from knowledge.text import lemmas
from models import (
    Contract,
    ContractStage,
    ExecutionDoc,
    ExecutionFact,
    Procedure,
    ProcedureLot,
    ProtocolStatus,
)

log = logging.getLogger("smebot.importer")
ANALYZE_AFTER = 500  # imported rows after which planner statistics are refreshed

# Which protocol status wins when several arrive: a later stage never goes back.
STATUS_RANK = {"closed": 1, FINISHED: 2, CANCELLED: 3}


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


def _inn(value: str | None) -> str | None:
    """Russian INNs only (10 or 12 digits); foreign identifiers are not INNs."""
    return value if value and value.isdigit() and len(value) in (10, 12) else None


def _kpp(value: str | None) -> str | None:
    return value if value and len(value) == 9 else None


def search_text(title: str, customer: str, lots: Iterable[str] = ()) -> str:
    """Lemmatised words for full-text search («поставки бумаги» → «поставка бумага»)."""
    return " ".join(lemmas(" ".join((title, *lots, customer)), citations=False))


class FamilyConflict(ValueError):
    """An OCDS release whose number is that of an EIS notice or contract."""


def _family(law: str) -> str:
    return "ocds" if law == "ocds" else "eis"


def _other_family(rec: ProcedureRecord | ContractRecord, old: Any) -> bool | None:
    """Numbers are keyed by source family: None when `rec` and `old` are of one family;
    True when an EIS document meets an OCDS release of the same number (the EIS wins);
    an OCDS release never replaces an EIS notice or contract (FamilyConflict)."""
    if _family(rec.law) == _family(old.law):
        return None
    if _family(old.law) == "eis":
        raise FamilyConflict(
            f"number {rec.number} belongs to an EIS document: an OCDS release cannot replace it"
        )
    return True


def _supersedes(rec: ProcedureRecord, old: Any) -> bool:
    """Does `rec` replace the stored edition `old` (an ORM row or a Row with the same fields)?"""
    if (family := _other_family(rec, old)) is not None:
        return family
    if old.source_hash == rec.source_hash or rec.version < old.version:
        return False
    if rec.version == old.version:
        if rec.published_at and old.published_at and rec.published_at < old.published_at:
            return False
        if rec.status != CANCELLED and old.status == CANCELLED:
            return False
    return True


def _procedure_values(rec: ProcedureRecord, now: datetime) -> dict[str, Any]:
    return {
        "number": rec.number,
        "law": rec.law,
        "doc_type": rec.doc_type[:64],
        "method": (rec.method or "—")[:256],
        "title": rec.title or "—",
        "customer_name": rec.customer_name or "—",
        "customer_inn": _inn(rec.customer_inn),
        "customer_kpp": _kpp(rec.customer_kpp),
        "region": rec.region[:8] if rec.region else None,
        "platform_name": rec.platform_name[:256] if rec.platform_name else None,
        "platform_url": rec.platform_url[:256] if rec.platform_url else None,
        "max_price": rec.max_price,
        "currency": (rec.currency or "RUB")[:3],
        "published_at": rec.published_at,
        "applications_end": rec.applications_end,
        "auction_at": rec.auction_at,
        "summarizing_at": rec.summarizing_at,
        "smp_only": rec.smp_only,
        "preferences": "; ".join(rec.preferences),
        "okpd2": " ".join(rec.okpd2),
        "okpd2_main": rec.okpd2[0][:32] if rec.okpd2 else None,
        "status": CANCELLED if rec.status == CANCELLED else None,
        "version": rec.version,
        "source_hash": rec.source_hash,
        "search_text": search_text(rec.title, rec.customer_name, (lot.title for lot in rec.lots)),
        "updated_at": now,
    }


def _lot_rows(procedure_id: int, rec: ProcedureRecord) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for lot in rec.lots:
        rows.setdefault(
            lot.number,
            {
                "procedure_id": procedure_id,
                "number": lot.number,
                "title": lot.title or "—",
                "max_price": lot.max_price,
                "currency": (lot.currency or "RUB")[:3],
            },
        )
    return list(rows.values())


async def _apply_procedure(session: AsyncSession, rec: ProcedureRecord, now: datetime) -> str:
    existing = (
        await session.execute(select(Procedure).where(Procedure.number == rec.number))
    ).scalar_one_or_none()
    if existing is not None and not _supersedes(rec, existing):
        return "skipped"
    values = _procedure_values(rec, now)
    if existing is not None:
        stats_cells.note(session, stats_cells.PROCEDURES, existing.region, existing.published_at)
    stats_cells.note(session, stats_cells.PROCEDURES, values["region"], values["published_at"])
    if existing is None:
        procedure = Procedure(**values)
        session.add(procedure)
        await session.flush()
    else:
        procedure = existing
        for key, value in values.items():
            setattr(procedure, key, value)
        await session.execute(delete(ProcedureLot).where(ProcedureLot.procedure_id == procedure.id))
        await session.flush()
    lots = _lot_rows(procedure.id, rec)
    if lots:
        await session.execute(insert(ProcedureLot), lots)
    return "procedure"


async def _apply_protocol(session: AsyncSession, rec: ProtocolRecord) -> str:
    existing = await session.get(ProtocolStatus, rec.procedure_number)
    if existing is not None:
        if existing.source_hash == rec.source_hash:
            return "skipped"
        if STATUS_RANK.get(rec.status, 0) < STATUS_RANK.get(existing.status, 0):
            return "skipped"
        existing.status, existing.doc_type, existing.at = rec.status, rec.doc_type[:64], rec.at
        existing.source_hash = rec.source_hash
        return "protocol"
    session.add(
        ProtocolStatus(
            procedure_number=rec.procedure_number,
            status=rec.status,
            doc_type=rec.doc_type[:64],
            at=rec.at,
            source_hash=rec.source_hash,
        )
    )
    return "protocol"


def _contract_values(rec: ContractRecord, now: datetime) -> dict[str, Any]:
    return {
        "number": rec.number,
        "law": rec.law,
        "procedure_number": rec.procedure_number,
        "customer_name": rec.customer_name or "—",
        "customer_inn": _inn(rec.customer_inn),
        "customer_kpp": _kpp(rec.customer_kpp),
        "region": rec.region[:8] if rec.region else None,
        "supplier_name": rec.supplier_name or "—",
        "supplier_inn": _inn(rec.supplier_inn),
        "supplier_is_smp": rec.supplier_is_smp,
        "price": rec.price,
        "currency": (rec.currency or "RUB")[:3],
        "signed_on": rec.signed_on,
        "execution_start": rec.execution_start,
        "execution_end": rec.execution_end,
        "status_code": rec.status_code,
        "version": rec.version,
        "source_hash": rec.source_hash,
        "updated_at": now,
    }


def _stage_rows(contract_id: int, rec: ContractRecord) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for stage in rec.stages:
        rows.setdefault(
            stage.number,
            {
                "contract_id": contract_id,
                "number": stage.number,
                "start": stage.start,
                "end": stage.end,
                "amount": stage.amount,
            },
        )
    return list(rows.values())


def _contract_supersedes(rec: ContractRecord, old: Any) -> bool:
    if (family := _other_family(rec, old)) is not None:
        return family
    return bool(old.source_hash != rec.source_hash and rec.version >= old.version)


def _contract_key(number: str) -> str:
    """What all numbers of one contract share (see `procurement.same_contract`)."""
    return number[:19] if len(number) == 23 and number.isdigit() else number


async def _status_from_execution(session: AsyncSession, numbers: list[str]) -> None:
    """Execution documents may come before the contract (or be newer than its new version):
    the latest status they state wins, as on the card, so statistics and reminders agree."""
    keys = {_contract_key(n): n for n in numbers}
    wanted = [*numbers, *(f"{k}0000" for k in keys if k not in numbers)]
    reported: dict[str, str] = {}
    for number, status in (
        await session.execute(
            select(ExecutionDoc.contract_number, ExecutionDoc.status_code)
            .where(ExecutionDoc.contract_number.in_(wanted), ExecutionDoc.status_code.is_not(None))
            .order_by(*EXECUTION_ORDER)
        )
    ).all():
        if status and _contract_key(number) in keys:
            reported[keys[_contract_key(number)]] = status  # the latest one stays
    for number, status in reported.items():
        await session.execute(
            update(Contract).where(Contract.number == number).values(status_code=status)
        )


async def _apply_contract(session: AsyncSession, rec: ContractRecord, now: datetime) -> str:
    existing = (
        await session.execute(select(Contract).where(Contract.number == rec.number))
    ).scalar_one_or_none()
    if existing is not None and not _contract_supersedes(rec, existing):
        return "skipped"
    values = _contract_values(rec, now)
    if existing is not None:
        stats_cells.note(session, stats_cells.CONTRACTS, existing.region, existing.signed_on)
    stats_cells.note(session, stats_cells.CONTRACTS, values["region"], values["signed_on"])
    if existing is None:
        contract = Contract(**values)
        session.add(contract)
        await session.flush()
    else:
        contract = existing
        for key, value in values.items():
            setattr(contract, key, value)
        await session.execute(delete(ContractStage).where(ContractStage.contract_id == contract.id))
        await session.flush()
    stages = _stage_rows(contract.id, rec)
    if stages:
        await session.execute(insert(ContractStage), stages)
    await session.flush()
    await _status_from_execution(session, [rec.number])
    return "contract"


@dataclass(frozen=True)
class _BulkKind:
    """How one record type goes in by bulk statements: its table, its child table and rows."""

    model: Any
    child: Any
    child_fk: str
    values: Callable[[Any, datetime], dict[str, Any]]
    child_rows: Callable[[int, Any], list[dict[str, Any]]]
    supersedes: Callable[[Any, Any], bool]
    order: Callable[[Any], Any]
    cell: tuple[str, str]  # statistics cell kind and the date column that places a row
    compared: tuple[str, ...] = ("version", "source_hash")


PROCEDURES = _BulkKind(
    Procedure,
    ProcedureLot,
    "procedure_id",
    _procedure_values,
    _lot_rows,
    _supersedes,
    lambda r: (r.version, r.published_at or datetime.min.replace(tzinfo=UTC)),
    (stats_cells.PROCEDURES, "published_at"),
    ("version", "source_hash", "published_at", "status", "region", "law"),
)
CONTRACTS = _BulkKind(
    Contract,
    ContractStage,
    "contract_id",
    _contract_values,
    _stage_rows,
    _contract_supersedes,
    lambda r: r.version,
    (stats_cells.CONTRACTS, "signed_on"),
    ("version", "source_hash", "region", "signed_on", "law"),
)


async def _bulk(
    session: AsyncSession, kind: _BulkKind, records: list[Any], now: datetime
) -> tuple[int, int]:
    """Many records in a few statements: one look-up, one bulk insert, one bulk update, the
    child rows in one insert. Returns (applied, skipped). Runs inside the caller's savepoint:
    all or nothing."""
    if not records:
        return 0, 0
    model = kind.model
    latest: dict[str, Any] = {}
    skipped = 0
    for rec in sorted(records, key=kind.order):  # the last edition of a number wins
        if rec.number in latest and _family(latest[rec.number].law) != _family(rec.law):
            raise FamilyConflict(rec.number)  # one by one: each family's rule applies
        skipped += rec.number in latest
        latest[rec.number] = rec
    columns = [model.id, model.number, *(getattr(model, c) for c in kind.compared)]
    stored = {
        row.number: row
        for row in (
            await session.execute(select(*columns).where(model.number.in_(list(latest))))
        ).all()
    }
    inserts, updates = [], []
    cell_kind, date_column = kind.cell
    for number, rec in latest.items():
        old = stored.get(number)
        if old is None:
            inserts.append(values := kind.values(rec, now))
        elif kind.supersedes(rec, old):
            updates.append(values := {"id": old.id, **kind.values(rec, now)})
            stats_cells.note(session, cell_kind, old.region, getattr(old, date_column))
        else:
            skipped += 1
            continue
        stats_cells.note(session, cell_kind, values["region"], values[date_column])
    if inserts:
        await session.execute(insert(model.__table__), inserts)
    if updates:
        await session.execute(update(model), updates)
        fk = getattr(kind.child, kind.child_fk)
        await session.execute(delete(kind.child).where(fk.in_([u["id"] for u in updates])))
    changed = [latest[v["number"]] for v in (*inserts, *updates)]
    with_children = [rec for rec in changed if kind.child_rows(0, rec)]
    if with_children:
        result = await session.execute(
            select(model.number, model.id).where(
                model.number.in_([r.number for r in with_children])
            )
        )
        ids = {number: id_ for number, id_ in result.tuples()}  # a Result has keys(): no dict()
        rows = [row for rec in with_children for row in kind.child_rows(ids[rec.number], rec)]
        await session.execute(insert(kind.child.__table__), rows)
    if model is Contract and changed:
        await _status_from_execution(session, [rec.number for rec in changed])
    return len(inserts) + len(updates), skipped


async def _apply_execution(session: AsyncSession, rec: ExecutionRecord) -> str:
    existing = (
        await session.execute(
            select(ExecutionDoc.id).where(ExecutionDoc.source_hash == rec.source_hash)
        )
    ).scalar_one_or_none()
    if existing is not None:
        return "skipped"
    doc = ExecutionDoc(
        contract_number=rec.contract_number,
        law=rec.law,
        doc_type=rec.doc_type[:64],
        status_code=rec.status_code,
        published_at=rec.published_at,
        terminated_on=rec.terminated_on,
        termination_reason=rec.termination_reason,
        source_hash=rec.source_hash,
    )
    session.add(doc)
    await session.flush()
    facts = [
        *(("acceptance", a.accepted_on, a.amount, a.document) for a in rec.acceptances),
        *(("payment", p.paid_on, p.amount, p.document) for p in rec.payments),
        *(("stage", s.end, s.amount, f"этап {s.number}") for s in rec.stages),
    ]
    for kind, on, amount, document in facts:
        session.add(
            ExecutionFact(
                doc_id=doc.id,
                contract_number=rec.contract_number,
                kind=kind,
                on=on,
                amount=amount,
                document=document or "",
            )
        )
    if rec.status_code:
        contract = (
            await session.execute(
                select(Contract)
                .where(same_contract(Contract.number, rec.contract_number))
                .order_by(Contract.number)
                .limit(1)
            )
        ).scalar_one_or_none()
        if contract is not None:  # the latest document's status, whatever the import order
            await session.flush()
            await _status_from_execution(session, [contract.number])
            stats_cells.note(session, stats_cells.CONTRACTS, contract.region, contract.signed_on)
    return "contract"


async def apply_document(session: AsyncSession, doc: Document, now: datetime) -> str:
    if isinstance(doc, ProcedureRecord):
        return await _apply_procedure(session, doc, now)
    if isinstance(doc, ProtocolRecord):
        return await _apply_protocol(session, doc)
    if isinstance(doc, ContractRecord):
        return await _apply_contract(session, doc, now)
    return await _apply_execution(session, doc)


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
            p_applied, p_skipped = await _bulk(session, PROCEDURES, notices, now)
            c_applied, c_skipped = await _bulk(session, CONTRACTS, contracts, now)
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
