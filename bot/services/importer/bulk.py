"""A batch of notices or contracts in a few bulk statements (the fast path of an import)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.importer.documents import status_from_execution
from bot.services.importer.editions import (
    FamilyConflict,
    contract_supersedes,
    family,
    procedure_supersedes,
)
from bot.services.importer.rows import contract_values, lot_rows, procedure_values, stage_rows
from bot.services.stats import cells as stats_cells
from models import Contract, ContractStage, Procedure, ProcedureLot


@dataclass(frozen=True)
class BulkKind:
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


PROCEDURES = BulkKind(
    Procedure,
    ProcedureLot,
    "procedure_id",
    procedure_values,
    lot_rows,
    procedure_supersedes,
    lambda r: (r.version, r.published_at or datetime.min.replace(tzinfo=UTC)),
    (stats_cells.PROCEDURES, "published_at"),
    ("version", "source_hash", "published_at", "status", "region", "law"),
)
CONTRACTS = BulkKind(
    Contract,
    ContractStage,
    "contract_id",
    contract_values,
    stage_rows,
    contract_supersedes,
    lambda r: r.version,
    (stats_cells.CONTRACTS, "signed_on"),
    ("version", "source_hash", "region", "signed_on", "law"),
)


async def bulk(
    session: AsyncSession, kind: BulkKind, records: list[Any], now: datetime
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
        if rec.number in latest and family(latest[rec.number].law) != family(rec.law):
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
        await status_from_execution(session, [rec.number for rec in changed])
    return len(inserts) + len(updates), skipped
