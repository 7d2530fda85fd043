"""A notice's card by its registry number, with the status its protocols gave it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import NotFound
from bot.services.procurement.numbers import eis_url
from bot.sources.records import ProcedureStatus
from models import Procedure, ProcedureLot, ProtocolStatus

STATUS_WORDS = {
    ProcedureStatus.ACCEPTING: "приём заявок",
    ProcedureStatus.CLOSED: "заявки закрыты",
    ProcedureStatus.FINISHED: "завершена",
    ProcedureStatus.CANCELLED: "отменена",
}


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
    auction_at: datetime | None  # a moment, or
    auction_on: date | None  # a day without a time (never both)
    summarizing_at: datetime | None
    summarizing_on: date | None
    smp_only: bool
    preferences: str
    okpd2: str
    status: ProcedureStatus
    status_words: str
    url: str
    lots: tuple[LotView, ...]
    days_left: int | None  # whole days until applications end, None when closed


def procedure_status(
    own: str | None, protocol: str | None, applications_end: datetime | None, now: datetime
) -> ProcedureStatus:
    if ProcedureStatus.CANCELLED in (own, protocol):
        return ProcedureStatus.CANCELLED
    if protocol == ProcedureStatus.FINISHED:
        return ProcedureStatus.FINISHED
    if protocol == ProcedureStatus.CLOSED:
        return ProcedureStatus.CLOSED
    if applications_end is not None and applications_end <= now:
        return ProcedureStatus.CLOSED
    return ProcedureStatus.ACCEPTING


def _card(
    p: Procedure, protocol: str | None, lots: list[ProcedureLot], now: datetime
) -> ProcedureCard:
    status = procedure_status(p.status, protocol, p.applications_end, now)
    days_left = None
    if status == ProcedureStatus.ACCEPTING and p.applications_end is not None:
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
        auction_on=p.auction_on,
        summarizing_at=p.summarizing_at,
        summarizing_on=p.summarizing_on,
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
