"""One document at a time (`apply_document`): a notice, a protocol, a contract or an execution
document, each written in the caller's savepoint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.importer.editions import STATUS_RANK, contract_supersedes, procedure_supersedes
from bot.services.importer.rows import contract_values, lot_rows, procedure_values, stage_rows
from bot.services.procurement import EXECUTION_ORDER, same_contract
from bot.services.stats import cells as stats_cells
from bot.sources.records import (
    ContractRecord,
    Document,
    ExecutionRecord,
    ProcedureRecord,
    ProtocolRecord,
)
from models import (
    Contract,
    ContractStage,
    ExecutionDoc,
    ExecutionFact,
    Procedure,
    ProcedureLot,
    ProtocolStatus,
)

# per kind of main row: its model, the date that places it in a statistics cell, the foreign
# key of its child rows (lots of a notice, stages of a contract)
_ROWS: dict[str, tuple[Any, str, Any]] = {
    stats_cells.PROCEDURES: (Procedure, "published_at", ProcedureLot.procedure_id),
    stats_cells.CONTRACTS: (Contract, "signed_on", ContractStage.contract_id),
}


async def _write_row(
    session: AsyncSession, kind: str, values: dict[str, Any], supersedes: Callable[[Any], bool]
) -> Any | None:
    """The notice or contract `values["number"]` written (added, or an existing row it
    supersedes updated with its child rows removed), its old and new statistics cells noted;
    None when the stored row is as new or newer."""
    model, date_key, child_fk = _ROWS[kind]
    existing = (
        await session.execute(select(model).where(model.number == values["number"]))
    ).scalar_one_or_none()
    if existing is not None and not supersedes(existing):
        return None
    if existing is not None:
        stats_cells.note(session, kind, existing.region, getattr(existing, date_key))
    stats_cells.note(session, kind, values["region"], values[date_key])
    if existing is None:
        row = model(**values)
        session.add(row)
        await session.flush()
        return row
    for key, value in values.items():
        setattr(existing, key, value)
    await session.execute(delete(child_fk.class_).where(child_fk == existing.id))
    await session.flush()
    return existing


async def _apply_procedure(session: AsyncSession, rec: ProcedureRecord, now: datetime) -> str:
    procedure = await _write_row(
        session,
        stats_cells.PROCEDURES,
        procedure_values(rec, now),
        lambda existing: procedure_supersedes(rec, existing),
    )
    if procedure is None:
        return "skipped"
    lots = lot_rows(procedure.id, rec)
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


def _contract_key(number: str) -> str:
    """What all numbers of one contract share (see `procurement.same_contract`)."""
    return number[:19] if len(number) == 23 and number.isdigit() else number


async def status_from_execution(session: AsyncSession, numbers: list[str]) -> None:
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
    contract = await _write_row(
        session,
        stats_cells.CONTRACTS,
        contract_values(rec, now),
        lambda existing: contract_supersedes(rec, existing),
    )
    if contract is None:
        return "skipped"
    stages = stage_rows(contract.id, rec)
    if stages:
        await session.execute(insert(ContractStage), stages)
    await session.flush()
    await status_from_execution(session, [rec.number])
    return "contract"


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
            await status_from_execution(session, [contract.number])
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
