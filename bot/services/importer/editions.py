"""Which edition of a number wins: the newest version, the EIS over an OCDS release, a later
protocol stage over an earlier one."""

from __future__ import annotations

from typing import Any

from bot.sources.records import CANCELLED, CLOSED, FINISHED, ContractRecord, ProcedureRecord

# Which protocol status wins when several arrive: a later stage never goes back.
STATUS_RANK: dict[str, int] = {CLOSED: 1, FINISHED: 2, CANCELLED: 3}


class FamilyConflict(ValueError):
    """An OCDS release whose number is that of an EIS notice or contract."""


def family(law: str) -> str:
    return "ocds" if law == "ocds" else "eis"


def _other_family(rec: ProcedureRecord | ContractRecord, old: Any) -> bool | None:
    """Numbers are keyed by source family: None when `rec` and `old` are of one family;
    True when an EIS document meets an OCDS release of the same number (the EIS wins);
    an OCDS release never replaces an EIS notice or contract (FamilyConflict)."""
    if family(rec.law) == family(old.law):
        return None
    if family(old.law) == "eis":
        raise FamilyConflict(
            f"number {rec.number} belongs to an EIS document: an OCDS release cannot replace it"
        )
    return True


def procedure_supersedes(rec: ProcedureRecord, old: Any) -> bool:
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


def contract_supersedes(rec: ContractRecord, old: Any) -> bool:
    if (family := _other_family(rec, old)) is not None:
        return family
    return bool(old.source_hash != rec.source_hash and rec.version >= old.version)
