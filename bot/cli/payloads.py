"""The JSON the look-ups print: a procedure card, a contract card or a list of contracts."""

from __future__ import annotations

from typing import Any

from bot.cli.common import iso
from bot.services.procurement.contracts import ContractCard, ContractList
from bot.services.procurement.procedures import ProcedureCard


def _money(value: Any) -> Any:
    return str(value) if value is not None else None


def procedure_payload(card: ProcedureCard) -> dict[str, Any]:
    return {
        "number": card.number,
        "law": card.law,
        "method": card.method,
        "title": card.title,
        "customer": {
            "name": card.customer_name,
            "inn": card.customer_inn,
            "kpp": card.customer_kpp,
        },
        "region": card.region,
        "max_price": _money(card.max_price),
        "currency": card.currency,
        "published_at": iso(card.published_at),
        "applications_end": iso(card.applications_end),
        "auction_at": iso(card.auction_at),  # a moment, or
        "auction_on": iso(card.auction_on),  # a day without a time ("2026-12-04")
        "summarizing_at": iso(card.summarizing_at),
        "summarizing_on": iso(card.summarizing_on),
        "platform": {"name": card.platform_name, "url": card.platform_url},
        "smp_only": card.smp_only,
        "status": card.status,
        "url": card.url,
    }


def contract_payload(card: ContractCard | ContractList) -> dict[str, Any]:
    """A contract card, or the contracts of one procedure (`ContractList`)."""
    if isinstance(card, ContractList):
        listed = [
            {
                "number": c.number,
                "status": c.status_words,
                "supplier": c.supplier_name,
                "price": _money(c.price),
                "currency": c.currency,
                "signed_on": iso(c.signed_on),
            }
            for c in card.items
        ]
        return {"procedure_number": card.procedure_number, "contracts": listed}
    return {
        "complete": card.complete,
        "number": card.number,
        "procedure_number": card.procedure_number,
        "status_code": card.status_code,
        "status": card.status_words,
        "price": _money(card.price),
        "currency": card.currency,
        "customer": {"name": card.customer_name, "inn": card.customer_inn},
        "supplier": {
            "name": card.supplier_name,
            "inn": card.supplier_inn,
            "is_smp": card.supplier_is_smp,
        },
        "signed_on": iso(card.signed_on),
        "execution_end": iso(card.execution_end),
        "stages": [
            {
                "number": s.number,
                "start": iso(s.start),
                "end": iso(s.end),
                "amount": _money(s.amount),
            }
            for s in card.stages
        ],
        "payments": [{"date": iso(p.on), "amount": _money(p.amount)} for p in card.payments],
        "payment_due": iso(card.payment_due),
        "payment_due_preliminary": card.payment_due_preliminary,
        "terminated_on": iso(card.terminated_on),
        "termination_reason": card.termination_reason,
    }
