"""What the parsers produce: plain frozen records, independent of the database.

Datetimes are timezone-aware (converted from the document's own offset; 223-ФЗ values
without an offset are Europe/Moscow). Money is Decimal. Dates without time are `date`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class ProcedureStatus(StrEnum):
    """Procedure statuses, stored as these codes (procedures.status: CANCELLED or NULL;
    protocol_statuses.status), shown in Russian by templates."""

    ACCEPTING = "accepting"  # приём заявок
    CLOSED = "closed"  # заявки закрыты (рассмотрение, торги)
    FINISHED = "finished"  # завершена (итоги подведены)
    CANCELLED = "cancelled"  # отменена


# short names the parsers use
ACCEPTING = ProcedureStatus.ACCEPTING
CLOSED = ProcedureStatus.CLOSED
FINISHED = ProcedureStatus.FINISHED
CANCELLED = ProcedureStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class Lot:
    number: int
    title: str
    max_price: Decimal | None = None
    currency: str = "RUB"


@dataclass(frozen=True, slots=True)
class ProcedureRecord:
    """A 44-ФЗ notice (ep*/fcs*) or a 223-ФЗ purchase notice, or one OCDS tender."""

    number: str  # 19 digits (44-ФЗ), 11 digits (223-ФЗ), OCDS ocid otherwise
    law: str  # "44" | "223" | "ocds"
    doc_type: str  # e.g. epNotificationEF2020, purchaseNoticeAE, ocds
    method: str  # Russian name of the method as published, e.g. «Электронный аукцион»
    title: str  # purchase object
    customer_name: str
    customer_inn: str | None
    customer_kpp: str | None
    region: str | None  # two-digit subject code (74), None when unknown
    platform_name: str | None
    platform_url: str | None
    max_price: Decimal | None
    currency: str
    published_at: datetime | None
    applications_end: datetime | None
    auction_at: datetime | None  # the auction's moment, when the source gives its time
    summarizing_at: datetime | None
    smp_only: bool
    preferences: tuple[str, ...] = ()
    okpd2: tuple[str, ...] = ()
    lots: tuple[Lot, ...] = ()
    status: str | None = None  # None: derive from dates; CANCELLED for cancel documents
    version: int = 1
    source_hash: str = ""
    auction_on: date | None = None  # the auction's day, when the source gives no time
    summarizing_on: date | None = None  # (either `_at` or `_on`, never both: `When`)


@dataclass(frozen=True, slots=True)
class ProtocolRecord:
    """A protocol that changes a procedure's status."""

    procedure_number: str
    law: str
    doc_type: str
    status: str  # CLOSED | FINISHED | CANCELLED
    at: datetime | None
    source_hash: str = ""


@dataclass(frozen=True, slots=True)
class Stage:
    number: int
    start: date | None
    end: date | None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    paid_on: date | None
    amount: Decimal
    document: str = ""


@dataclass(frozen=True, slots=True)
class Acceptance:
    accepted_on: date | None
    amount: Decimal | None
    document: str = ""


@dataclass(frozen=True, slots=True)
class ContractRecord:
    """A contract register entry (44-ФЗ `contract`, 223-ФЗ `contract`, OCDS award/contract)."""

    number: str
    law: str
    procedure_number: str | None
    customer_name: str
    customer_inn: str | None
    customer_kpp: str | None
    region: str | None
    supplier_name: str
    supplier_inn: str | None
    supplier_is_smp: bool | None
    price: Decimal | None
    currency: str
    signed_on: date | None
    execution_start: date | None
    execution_end: date | None
    status_code: str | None  # E | EC | ET | IN (44-ФЗ); None when the document has none
    stages: tuple[Stage, ...] = ()
    version: int = 1
    source_hash: str = ""


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    """Contract execution facts (44-ФЗ contractProcedure, 223-ФЗ performanceContract)."""

    contract_number: str
    law: str
    doc_type: str
    status_code: str | None
    stages: tuple[Stage, ...] = ()
    acceptances: tuple[Acceptance, ...] = ()
    payments: tuple[Payment, ...] = ()
    terminated_on: date | None = None
    termination_reason: str | None = None
    published_at: datetime | None = None
    source_hash: str = ""


Document = ProcedureRecord | ProtocolRecord | ContractRecord | ExecutionRecord

MAX_AMOUNT = Decimal(10) ** 15  # roubles: no procurement comes near a quadrillion


class AmountError(ValueError):
    """An amount that cannot be real: not finite, negative, or 10^15 or more."""


def check_amount(value: Decimal | None, what: str = "amount") -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        raise AmountError(f"{what} out of range (0 to 10^15): {str(value)[:40]}")
    return value


def check_amounts(doc: Document) -> Document:
    """The document itself, when every amount in it is plausible; AmountError otherwise
    (the parser reports the document as refused and goes on)."""
    if isinstance(doc, ProcedureRecord):
        check_amount(doc.max_price, "max price")
        for lot in doc.lots:
            check_amount(lot.max_price, f"lot {lot.number} max price")
    elif isinstance(doc, ContractRecord):
        check_amount(doc.price, "contract price")
        for stage in doc.stages:
            check_amount(stage.amount, f"stage {stage.number} amount")
    elif isinstance(doc, ExecutionRecord):
        for stage in doc.stages:
            check_amount(stage.amount, f"stage {stage.number} amount")
        for acceptance in doc.acceptances:
            check_amount(acceptance.amount, "acceptance amount")
        for payment in doc.payments:
            check_amount(payment.amount, "payment amount")
    return doc


@dataclass(frozen=True, slots=True)
class SourceError:
    """A malformed file or document: reported, skipped, the rest goes in."""

    file: str
    reason: str
    document: str | None = None


@dataclass
class ParsedFile:
    file: str
    documents: list[Document] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
