"""Look up procedures and contracts by registry number; search procedures by words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    func,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.calendar import add_working_days, is_preliminary
from bot.services.errors import BadInput, NotFound
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

STATUS_WORDS = {
    "accepting": "приём заявок",
    "closed": "заявки закрыты",
    "finished": "завершена",
    "cancelled": "отменена",
}
CONTRACT_STATUS_WORDS = {
    "E": "исполнение",
    "EC": "исполнение завершено",
    "ET": "исполнение прекращено",
    "IN": "аннулирован",
}
PAYMENT_DAYS = 7  # ч. 13.1 ст. 34 44-ФЗ (every supplier); ч. 5.3 ст. 3 223-ФЗ (SME suppliers)
EIS_SEARCH = "https://zakupki.gov.ru/epz/order/extendedsearch/results.html?searchString="
EIS_CONTRACT = "https://zakupki.gov.ru/epz/contract/search/results.html?searchString="
# The contract's own page: the address 44-ФЗ contract documents give in their <href>.
EIS_CONTRACT_CARD = (
    "https://zakupki.gov.ru/epz/contract/contractCard/common-info.html?reestrNumber="
)
MAX_WORDS = 12
COUNT_CAP = 1000
CONTRACTS_SHOWN = 20  # contracts of one notice listed in a chat message
USER_QUERY_TIMEOUT_MS = 5000
FTS = table("procedures_fts", column("rowid"))
_NUMBER_RE = re.compile(r"(?<!\d)\d(?:[\d \-]{8,40}\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class RegistryNumber:
    digits: str
    kinds: tuple[str, ...]  # candidates: notice44, notice223, contract44, contract223


def find_registry_number(message: str) -> RegistryNumber | None:
    """A registry number in free text (spaces and dashes inside are tolerated)."""
    for match in _NUMBER_RE.finditer(message):
        digits = re.sub(r"\D", "", match.group(0))
        kinds = classify(digits)
        if kinds:
            return RegistryNumber(digits, kinds)
    return None


def classify(digits: str) -> tuple[str, ...]:
    if len(digits) == 19:
        return ("notice44", "contract44") if digits[0] == "0" else ("contract44", "notice44")
    if len(digits) == 11:
        return ("notice223",)
    if len(digits) in (23,):
        return ("contract223",)
    return ()


def looks_like_partial_number(message: str) -> str | None:
    """A long digit run that is not a registry number: the user probably mistyped it."""
    for match in re.finditer(r"\d[\d \-]{5,40}\d", message):
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) >= 8 and not classify(digits):
            return digits
    return None


def eis_url(number: str, law: str) -> str:
    """A notice: the ЕИС search (its own page's address depends on the procedure type)."""
    return f"{EIS_SEARCH}{number}"


def contract_url(number: str, law: str) -> str:
    """A 44-ФЗ contract: its page in the contract registry; others: the ЕИС search (the
    223-ФЗ contract page's address is not one the samples show)."""
    if law == "44" and len(number) == 19 and number.isdigit():
        return f"{EIS_CONTRACT_CARD}{number}"
    return f"{EIS_CONTRACT}{number}"


@dataclass(frozen=True, slots=True)
class LotView:
    number: int
    title: str
    max_price: Decimal | None
    currency: str


@dataclass(frozen=True, slots=True)
class ProcedureCard:
    number: str
    law: str
    method: str
    title: str
    customer_name: str
    customer_inn: str | None
    customer_kpp: str | None
    region: str | None
    platform_name: str | None
    platform_url: str | None
    max_price: Decimal | None
    currency: str
    published_at: datetime | None
    applications_end: datetime | None
    auction_at: datetime | None
    summarizing_at: datetime | None
    smp_only: bool
    preferences: str
    okpd2: str
    status: str
    status_words: str
    url: str
    lots: tuple[LotView, ...]
    days_left: int | None  # whole days until applications end, None when closed


def procedure_status(
    own: str | None, protocol: str | None, applications_end: datetime | None, now: datetime
) -> str:
    if own == "cancelled" or protocol == "cancelled":
        return "cancelled"
    if protocol == "finished":
        return "finished"
    if protocol == "closed":
        return "closed"
    if applications_end is not None and applications_end <= now:
        return "closed"
    return "accepting"


def _card(
    p: Procedure, protocol: str | None, lots: list[ProcedureLot], now: datetime
) -> ProcedureCard:
    status = procedure_status(p.status, protocol, p.applications_end, now)
    days_left = None
    if status == "accepting" and p.applications_end is not None:
        days_left = max(0, (p.applications_end - now).days)
    return ProcedureCard(
        number=p.number,
        law=p.law,
        method=p.method,
        title=p.title,
        customer_name=p.customer_name,
        customer_inn=p.customer_inn,
        customer_kpp=p.customer_kpp,
        region=p.region,
        platform_name=p.platform_name,
        platform_url=p.platform_url,
        max_price=p.max_price,
        currency=p.currency,
        published_at=p.published_at,
        applications_end=p.applications_end,
        auction_at=p.auction_at,
        summarizing_at=p.summarizing_at,
        smp_only=p.smp_only,
        preferences=p.preferences,
        okpd2=p.okpd2,
        status=status,
        status_words=STATUS_WORDS[status],
        url=eis_url(p.number, p.law),
        lots=tuple(LotView(lot.number, lot.title, lot.max_price, lot.currency) for lot in lots),
        days_left=days_left,
    )


async def procedure_with_status(
    session: AsyncSession, number: str
) -> tuple[Procedure, str | None] | None:
    """The notice and the status its latest protocol gave it, in one query."""
    row = (
        await session.execute(
            select(Procedure, ProtocolStatus.status)
            .outerjoin(ProtocolStatus, ProtocolStatus.procedure_number == Procedure.number)
            .where(Procedure.number == number)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def get_procedure(session: AsyncSession, number: str, now: datetime) -> ProcedureCard:
    found = await procedure_with_status(session, number)
    if found is None:
        raise NotFound(number)
    p, protocol_status = found
    lots = list(
        (
            await session.execute(
                select(ProcedureLot)
                .where(ProcedureLot.procedure_id == p.id)
                .order_by(ProcedureLot.number)
            )
        ).scalars()
    )
    return _card(p, protocol_status, lots, now)


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


async def find_by_number(
    session: AsyncSession, registry: RegistryNumber, now: datetime
) -> ProcedureCard | ContractCard | ContractList | None:
    """What a registry number names: a notice, or a contract by any number it is known by
    (its registry number, a 223-ФЗ record's number, the notice it was concluded on)."""
    for kind in registry.kinds:
        try:
            if kind.startswith("notice"):
                return await get_procedure(session, registry.digits, now)
            return await find_contract(session, registry.digits, now.date())
        except NotFound:
            continue
    if not any(kind.startswith("contract") for kind in registry.kinds):
        try:  # a notice number the database knows only from its contracts
            return await find_contract(session, registry.digits, now.date())
        except NotFound:
            pass
    return None


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


# ------------------------------------------------------------------------ search
@dataclass(frozen=True, slots=True)
class SearchFilters:
    region: str | None = None
    smp_only: bool = False
    max_price: Decimal | None = None
    accepting_only: bool = False


@dataclass(frozen=True, slots=True)
class ProcedureBrief:
    number: str
    title: str
    max_price: Decimal | None
    currency: str
    applications_end: datetime | None
    smp_only: bool
    status: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    words: str
    items: tuple[ProcedureBrief, ...]
    total: int
    page: int
    pages: int
    more: bool = False  # more matches than COUNT_CAP


def _fts_terms(words: str) -> list[str]:
    terms = [t for t in lemmas(words, citations=False) if t.isalnum()]
    if not terms:
        raise BadInput("Напишите, что ищете, словами: например, «поставка бумаги».")
    return list(dict.fromkeys(terms))[:MAX_WORDS]


def _filtered(
    stmt: Select[tuple[Procedure]], filters: SearchFilters, now: datetime
) -> Select[tuple[Procedure]]:
    if filters.region:
        stmt = stmt.where(Procedure.region == filters.region)
    if filters.smp_only:
        stmt = stmt.where(Procedure.smp_only.is_(True))
    if filters.max_price is not None:
        stmt = stmt.where(Procedure.max_price <= filters.max_price)
    if filters.accepting_only:
        stmt = stmt.where(Procedure.applications_end > now, Procedure.status.is_(None))
    return stmt


async def search_procedures(
    session: AsyncSession,
    words: str,
    filters: SearchFilters,
    now: datetime,
    page: int = 0,
    page_size: int = 5,
    after_id: int | None = None,
) -> SearchPage:
    """Full-text search over lemmatised text: FTS5 on SQLite, russian tsvector on PostgreSQL."""
    terms = _fts_terms(words)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        match = " AND ".join(f'"{t}"' for t in terms)
        # The FTS table drives the query (newest rowid first) and the PK join stops early.
        base = (
            select(Procedure)
            .join(FTS, FTS.c.rowid == Procedure.id)
            .where(text("procedures_fts MATCH :match").bindparams(match=match))
        )
        newest = FTS.c.rowid.desc()
    else:
        query = func.to_tsquery("russian", " & ".join(terms))
        base = select(Procedure).where(
            func.to_tsvector("russian", Procedure.search_text).op("@@")(query)
        )
        newest = Procedure.id.desc()
    base = _filtered(base, filters, now)
    if after_id is not None:  # saved searches: only procedures loaded since the last check
        base = base.where(Procedure.id > after_id)
    # Counting every match of a common word is the slow part at millions of rows: count up
    # to COUNT_CAP and say «более …» beyond. Newest first (by id) lets the database stop early.
    if dialect == "postgresql":
        # A user's query must not hold a connection for long whatever the planner does.
        await session.execute(text(f"SET LOCAL statement_timeout = {USER_QUERY_TIMEOUT_MS}"))
    # Procedures still accepting applications come first (issue 18: 4 of the first 5 were
    # closed), each group newest first.
    accepting = and_(Procedure.applications_end > now, Procedure.status.is_(None))
    is_open = case((accepting, 1), else_=0).label("is_open")
    capped = base.with_only_columns(Procedure.id, is_open).limit(COUNT_CAP + 1).subquery()
    counted = int((await session.execute(select(func.count()).select_from(capped))).scalar_one())
    total = min(counted, COUNT_CAP)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 0), pages - 1)
    start = page * page_size
    if counted == 0:
        rows: Iterable[Procedure] = ()
    elif counted <= COUNT_CAP:
        # Few matches: take their ids through the text index (a bitmap scan on PostgreSQL) and
        # order them here. «ORDER BY id DESC LIMIT 5» made PostgreSQL walk the primary key
        # backwards computing to_tsvector for every row until five matched: seconds at 300k.
        pairs = (await session.execute(select(capped.c.id, capped.c.is_open))).all()
        ids = [i for i, _ in sorted(pairs, key=lambda r: (r[1], r[0]), reverse=True)]
        wanted = ids[start : start + page_size]
        found = (await session.execute(select(Procedure).where(Procedure.id.in_(wanted)))).scalars()
        rows = sorted(found, key=lambda p: wanted.index(p.id))
    else:  # many matches: the open ones, then the rest, each newest first (stops early)
        open_base = base.where(accepting)
        open_ids = open_base.with_only_columns(Procedure.id).limit(start + page_size).subquery()
        opened = int(
            (await session.execute(select(func.count()).select_from(open_ids))).scalar_one()
        )
        rows = list(
            (
                await session.execute(open_base.order_by(newest).limit(page_size).offset(start))
            ).scalars()
        )
        if len(rows) < page_size:
            rest = base.where(or_(Procedure.applications_end.is_(None), ~accepting))
            rows += (
                await session.execute(
                    rest.order_by(newest)
                    .limit(page_size - len(rows))
                    .offset(max(0, start - opened))
                )
            ).scalars()
    items = tuple(
        ProcedureBrief(
            p.number,
            p.title,
            p.max_price,
            p.currency,
            p.applications_end,
            p.smp_only,
            procedure_status(p.status, None, p.applications_end, now),
        )
        for p in rows
    )
    shown = " ".join(words.split())  # the user's words, not the lemmas searched for
    return SearchPage(shown, items, total, page, pages, more=counted > COUNT_CAP)


async def similar_words(session: AsyncSession, number: str) -> str:
    """Words to find procedures like this one: the first content words of its title."""
    title = (
        await session.execute(select(Procedure.title).where(Procedure.number == number))
    ).scalar_one_or_none()
    if title is None:
        raise NotFound(number)
    return " ".join(lemmas(title, citations=False)[:3])
