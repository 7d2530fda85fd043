"""What a followed procedure or contract has to remind about: its events and its status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import NotFound
from bot.services.procurement import (
    ContractCard,
    get_contract,
    procedure_status,
    procedure_with_status,
    same_contract,
)
from bot.services.schedule import Event, date_event
from bot.sources.records import ProcedureStatus
from models import Contract, ExecutionDoc, Subscription


class Ending(StrEnum):
    """Why a procedure or a contract has nothing more to remind about."""

    CANCELLED = "cancelled"  # a procedure
    FINISHED = "finished"  # a procedure
    EXECUTED = "executed"  # a contract, EIS status EC
    TERMINATED = "terminated"  # a contract, ET or a termination date
    ANNULLED = "annulled"  # a contract, IN


class ContractState(StrEnum):
    """A followed contract's status (stored in subscriptions.seen_status)."""

    ACTIVE = "active"
    DONE = "done"  # executed, terminated or annulled


ENDED = (ProcedureStatus.CANCELLED, ProcedureStatus.FINISHED, ContractState.DONE)


@dataclass(frozen=True, slots=True)
class Target:
    title: str
    events: list[Event]
    status: ProcedureStatus | ContractState
    seen_at: datetime | None
    seen_status: str
    seen_doc: int
    watch: bool = False  # worth following with no deadline ahead (a payment overdue)
    ending: Ending | None = None  # set when the status is one of ENDED


def contract_ending(card: ContractCard) -> Ending | None:
    """Executed, terminated or annulled: a contract with nothing to follow (None: running)."""
    if card.terminated_on is not None or card.status_code == "ET":
        return Ending.TERMINATED
    if card.status_code == "EC":
        return Ending.EXECUTED
    if card.status_code == "IN":
        return Ending.ANNULLED
    return None


def procedure_ending(status: ProcedureStatus) -> Ending | None:
    if status == ProcedureStatus.CANCELLED:
        return Ending.CANCELLED
    if status == ProcedureStatus.FINISHED:
        return Ending.FINISHED
    return None


async def _procedure_target(
    session: AsyncSession, number: str, tz: str, now: datetime
) -> Target | None:
    found = await procedure_with_status(session, number)
    if found is None:
        return None
    p, protocol = found
    status = procedure_status(p.status, protocol, p.applications_end, now)
    events: list[Event] = []
    if status not in ENDED:
        for name, at, day in (
            ("applications_end", p.applications_end, None),
            ("auction", p.auction_at, p.auction_on),
            ("summarizing", p.summarizing_at, p.summarizing_on),
        ):
            if day is not None:  # a day without a time: reminded at 09:00 local
                events.append(date_event(name, day, tz))
            elif at is not None:
                events.append(Event(name, at))
    ending = procedure_ending(status)
    return Target(p.title, events, status, p.updated_at, protocol or "", 0, ending=ending)


async def _contract_target(
    session: AsyncSession, number: str, tz: str, now: datetime
) -> Target | None:
    try:
        card = await get_contract(session, number, now.date())
    except NotFound:
        return None
    # A contract may be known only from its execution documents (no `contracts` row yet).
    meta = (
        await session.scalar(select(Contract.updated_at).where(Contract.number == card.number)),
        await session.scalar(
            select(func.max(ExecutionDoc.id)).where(
                same_contract(ExecutionDoc.contract_number, card.number)
            )
        ),
    )
    events: list[Event] = []
    ending = contract_ending(card)
    done = ending is not None
    if not done:
        for stage in card.stages:
            if stage.end is not None:
                events.append(date_event("stage_end", stage.end, tz, stage.number))
        if card.execution_end is not None:
            events.append(date_event("execution_end", card.execution_end, tz))
    if card.payment_due is not None:
        events.append(date_event("payment_due", card.payment_due, tz))
    title = f"{card.supplier_name} — {card.customer_name}" if card.complete else card.number
    status = ContractState.DONE if done else ContractState.ACTIVE
    # an overdue payment is followed until it is paid (a new document) or the next stage
    watch = card.payment_overdue and not done
    return Target(title, events, status, meta[0], status, int(meta[1] or 0), watch, ending)


async def target_of(
    session: AsyncSession, sub: Subscription, tz: str, now: datetime
) -> Target | None:
    if sub.kind == "procedure":
        return await _procedure_target(session, sub.target, tz, now)
    if sub.kind == "contract":
        return await _contract_target(session, sub.target, tz, now)
    return None
