"""A contract's card (stages, acceptances, payments, the statutory payment term) by any
number it is known by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.calendar import add_working_days, is_preliminary
from bot.services.errors import NotFound
from bot.services.procurement.numbers import contract_url
from models import Contract, ContractStage, ExecutionDoc, ExecutionFact

CONTRACT_STATUS_WORDS = {
    "E": "исполнение",
    "EC": "исполнение завершено",
    "ET": "исполнение прекращено",
    "IN": "аннулирован",
}
PAYMENT_DAYS = 7  # ч. 13.1 ст. 34 44-ФЗ (every supplier); ч. 5.3 ст. 3 223-ФЗ (SME suppliers)
CONTRACTS_SHOWN = 20  # contracts of one notice listed in a chat message


@dataclass(frozen=True, slots=True)
class StageView:
    number: int
    start: date | None
    end: date | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class FactView:
    on: date | None
    amount: Decimal | None
    document: str


@dataclass(frozen=True, slots=True)
class ContractCard:
    number: str
    law: str
    procedure_number: str | None
    status_code: str | None
    status_words: str
    customer_name: str
    customer_inn: str | None
    supplier_name: str
    supplier_inn: str | None
    supplier_is_smp: bool | None
    price: Decimal | None
    currency: str
    signed_on: date | None
    execution_start: date | None
    execution_end: date | None
    stages: tuple[StageView, ...]
    acceptances: tuple[FactView, ...]
    payments: tuple[FactView, ...]
    paid_total: Decimal
    payment_due: date | None
    payment_overdue: bool
    terminated_on: date | None
    termination_reason: str | None
    url: str
    # The due date falls in a year whose production calendar is not published yet.
    payment_due_preliminary: bool = False
    # False: known only from execution documents (the contract's own document is not loaded).
    complete: bool = True
    execution_reported_on: date | None = None  # the latest execution document's date


def same_contract(col: InstrumentedAttribute[str], number: str) -> ColumnElement[bool]:
    """A filter on a contract-number column matching every number the contract is known by.

    A 223-ФЗ contract has 23-digit numbers that share their first 19 digits: the register
    number `contractRegNumber` ends in 0000, each record (`registrationNumber` of the contract
    or of an execution report) has its own suffix (…0001, …0003). A range on the prefix keeps
    the look-up on the index. Other numbers match exactly."""
    if len(number) == 23 and number.isdigit():
        prefix = number[:19]
        return col.between(f"{prefix}0000", f"{prefix}9999")
    return col == number


# Execution documents oldest first; one without a publication date counts as the newest (NULLs
# last on SQLite as on PostgreSQL), so the card and the importer agree on the latest status.
EXECUTION_ORDER = (
    ExecutionDoc.published_at.is_(None),
    ExecutionDoc.published_at,
    ExecutionDoc.id,
)


def execution_status(docs: list[ExecutionDoc], own: str | None) -> str | None:
    """The contract's status: the latest execution document that states one wins over the
    contract document's own (the importer keeps `Contract.status_code` the same way)."""
    return next((d.status_code for d in reversed(docs) if d.status_code), None) or own


def _stage_number(document: str, default: int) -> int:
    tail = document.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else default


async def get_contract(session: AsyncSession, number: str, today: date) -> ContractCard:
    """The card from whatever the database knows: the contract document, its execution
    documents, or both (a contract known only from `contractProcedure` / `performanceContract`
    files gets a card marked incomplete)."""
    c = (
        await session.execute(
            select(Contract)
            .where(same_contract(Contract.number, number))
            .order_by((Contract.number == number).desc(), Contract.number)
            .limit(1)
        )
    ).scalar_one_or_none()
    key = c.number if c is not None else number
    docs = list(
        (
            await session.execute(
                select(ExecutionDoc)
                .where(same_contract(ExecutionDoc.contract_number, key))
                .order_by(*EXECUTION_ORDER)
            )
        ).scalars()
    )
    if c is None and not docs:
        raise NotFound(number)
    facts = list(
        (
            await session.execute(
                select(ExecutionFact)
                .where(same_contract(ExecutionFact.contract_number, key))
                .order_by(ExecutionFact.on, ExecutionFact.id)
            )
        ).scalars()
    )
    stages: tuple[StageView, ...] = ()
    if c is not None:
        stages = tuple(
            StageView(s.number, s.start, s.end, s.amount)
            for s in (
                await session.execute(
                    select(ContractStage)
                    .where(ContractStage.contract_id == c.id)
                    .order_by(ContractStage.number)
                )
            ).scalars()
        )
    if not stages:  # the execution documents repeat the stages they report on: once each
        seen: dict[tuple[str, date | None], StageView] = {}
        for f in facts:
            if f.kind == "stage":
                seen.setdefault(
                    (f.document, f.on),
                    StageView(_stage_number(f.document, len(seen) + 1), None, f.on, f.amount),
                )
        stages = tuple(sorted(seen.values(), key=lambda s: (s.end or date.max, s.number)))
    acceptances = tuple(
        FactView(f.on, f.amount, f.document) for f in facts if f.kind == "acceptance"
    )
    payments = tuple(FactView(f.on, f.amount, f.document) for f in facts if f.kind == "payment")
    paid = sum((p.amount or Decimal(0) for p in payments), Decimal(0))
    status_code = execution_status(docs, c.status_code if c is not None else None)
    terminated = next((d for d in reversed(docs) if d.terminated_on), None)
    latest = next((d.published_at for d in reversed(docs) if d.published_at), None)
    if c is None:
        own_number, law = docs[-1].contract_number, docs[-1].law
        due, overdue = None, False
    else:
        own_number, law = c.number, c.law
        # 44-ФЗ: 7 working days for every supplier since 01.05.2022 (ч. 13.1 ст. 34; the
        # SME-only term of ч. 8 ст. 30 is repealed); 223-ФЗ: for SME suppliers (ч. 5.3 ст. 3)
        term_applies = law == "44" or bool(c.supplier_is_smp)
        due, overdue = payment_due(term_applies, acceptances, payments, today)
    return ContractCard(
        number=own_number,
        law=law,
        procedure_number=c.procedure_number if c else None,
        status_code=status_code,
        status_words=CONTRACT_STATUS_WORDS.get(status_code or "", "нет сведений"),
        customer_name=c.customer_name if c else "",
        customer_inn=c.customer_inn if c else None,
        supplier_name=c.supplier_name if c else "",
        supplier_inn=c.supplier_inn if c else None,
        supplier_is_smp=c.supplier_is_smp if c else None,
        price=c.price if c else None,
        currency=c.currency if c else "RUB",
        signed_on=c.signed_on if c else None,
        execution_start=c.execution_start if c else None,
        execution_end=c.execution_end if c else None,
        stages=stages,
        acceptances=acceptances,
        payments=payments,
        paid_total=paid,
        payment_due=due,
        payment_overdue=overdue,
        terminated_on=terminated.terminated_on if terminated else None,
        termination_reason=terminated.termination_reason if terminated else None,
        url=contract_url(own_number, law),
        payment_due_preliminary=due is not None and is_preliminary(due),
        complete=c is not None,
        execution_reported_on=latest.date() if latest else None,
    )


@dataclass(frozen=True, slots=True)
class ContractBrief:
    number: str
    status_words: str
    supplier_name: str
    price: Decimal | None
    currency: str
    signed_on: date | None


@dataclass(frozen=True, slots=True)
class ContractList:
    """Several contracts concluded on one notice (a multi-lot or joint purchase)."""

    procedure_number: str
    items: tuple[ContractBrief, ...]


async def contracts_of_procedure(session: AsyncSession, notice: str) -> tuple[ContractBrief, ...]:
    rows = (
        await session.execute(
            select(Contract)
            .where(Contract.procedure_number == notice)
            .order_by(Contract.signed_on, Contract.number)
            .limit(CONTRACTS_SHOWN)
        )
    ).scalars()
    return tuple(
        ContractBrief(
            c.number,
            CONTRACT_STATUS_WORDS.get(c.status_code or "", "нет сведений"),
            c.supplier_name,
            c.price,
            c.currency,
            c.signed_on,
        )
        for c in rows
    )


async def find_contract(
    session: AsyncSession, number: str, today: date
) -> ContractCard | ContractList:
    """A contract by any number it is known by: its register number, a 223-ФЗ record's
    number, or the notice it was concluded on (one contract: its card; several: the list)."""
    try:
        return await get_contract(session, number, today)
    except NotFound:
        pass
    briefs = await contracts_of_procedure(session, number)
    if len(briefs) == 1:
        return await get_contract(session, briefs[0].number, today)
    if briefs:
        return ContractList(number, briefs)
    raise NotFound(number)


def payment_due(
    applies: bool,
    acceptances: tuple[FactView, ...],
    payments: tuple[FactView, ...],
    today: date,
) -> tuple[date | None, bool]:
    """Where the statutory term applies: 7 working days after the last acceptance not yet
    followed by a payment (production calendar with holiday transfers); overdue when that day
    has passed."""
    if not applies:
        return None, False
    accepted = [a.on for a in acceptances if a.on is not None]
    if not accepted:
        return None, False
    last = max(accepted)
    if any(p.on is not None and p.on >= last for p in payments):
        return None, False
    due = add_working_days(last, PAYMENT_DAYS)
    return due, today > due
