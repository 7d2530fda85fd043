"""A parsed record as table rows: the values of a notice or a contract, its lots or stages,
and the lemmatised search text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.sources.records import CANCELLED, ContractRecord, ProcedureRecord
from knowledge.text import lemmas


def _inn(value: str | None) -> str | None:
    """Russian INNs only (10 or 12 digits); foreign identifiers are not INNs."""
    return value if value and value.isdigit() and len(value) in (10, 12) else None


def _kpp(value: str | None) -> str | None:
    return value if value and len(value) == 9 else None


def search_text(title: str, customer: str, lots: Iterable[str] = ()) -> str:
    """Lemmatised words for full-text search («поставки бумаги» → «поставка бумага»)."""
    return " ".join(lemmas(" ".join((title, *lots, customer)), citations=False))


def procedure_values(rec: ProcedureRecord, now: datetime) -> dict[str, Any]:
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
        "auction_on": rec.auction_on,
        "summarizing_at": rec.summarizing_at,
        "summarizing_on": rec.summarizing_on,
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


def lot_rows(procedure_id: int, rec: ProcedureRecord) -> list[dict[str, Any]]:
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


def contract_values(rec: ContractRecord, now: datetime) -> dict[str, Any]:
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


def stage_rows(contract_id: int, rec: ContractRecord) -> list[dict[str, Any]]:
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
