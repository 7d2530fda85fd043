"""Subscriptions: follow a procedure or a contract, save a search; list, pause, delete."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import BadInput, NotFound, Refused
from bot.services.procurement import SearchFilters, search_procedures
from bot.services.reminders.planner import replan
from bot.services.reminders.prefs import Defaults, get_prefs, load_user, prefs_of
from bot.services.reminders.targets import ENDED, Ending, target_of
from bot.services.schedule import ASAP
from models import Procedure, Reminder, ReminderStatus, Subscription

MAX_SUBSCRIPTIONS = 200


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    id: int
    kind: str
    target: str
    title: str
    active: bool
    filters: str
    next_due: datetime | None = None


@dataclass(frozen=True, slots=True)
class NextReminder:
    """The first reminder still to go for a subscription."""

    due_at: datetime
    event: str
    event_no: int
    event_at: datetime | None
    date_only: bool
    asap: bool  # a catch-up: every lead time was already behind (schedule.catch_up)


@dataclass(frozen=True, slots=True)
class Subscribed:
    view: SubscriptionView
    created: bool
    planned: int
    next_due: datetime | None
    leads: tuple[int, ...] = field(default=())
    next: NextReminder | None = None
    now: datetime | None = None  # when it was planned


ENDED_WORDS = {
    Ending.CANCELLED: "Закупка № {n} отменена",
    Ending.FINISHED: "Закупка № {n} уже завершена",
    Ending.EXECUTED: "Контракт № {n} уже исполнен",
    Ending.TERMINATED: "Контракт № {n} расторгнут",
    Ending.ANNULLED: "Контракт № {n} аннулирован",
}


def view_of(sub: Subscription, next_due: datetime | None = None) -> SubscriptionView:
    return SubscriptionView(
        sub.id, sub.kind, sub.target, sub.title, sub.active, sub.filters, next_due
    )


async def _existing(
    session: AsyncSession, user_id: int, kind: str, target: str, filters: str = ""
) -> Subscription | None:
    return (
        await session.execute(
            select(Subscription).where(
                Subscription.user_id == user_id,
                Subscription.kind == kind,
                Subscription.target == target,
                Subscription.filters == filters,
            )
        )
    ).scalar_one_or_none()


async def _check_quota(session: AsyncSession, user_id: int) -> None:
    count = (
        await session.execute(
            select(func.count()).select_from(Subscription).where(Subscription.user_id == user_id)
        )
    ).scalar_one()
    if count >= MAX_SUBSCRIPTIONS:
        raise BadInput(f"У вас уже {MAX_SUBSCRIPTIONS} подписок — удалите ненужные в /reminders.")


async def _next(session: AsyncSession, sub_id: int) -> NextReminder | None:
    row = (
        await session.execute(
            select(Reminder)
            .where(Reminder.subscription_id == sub_id, Reminder.status == ReminderStatus.PENDING)
            .order_by(Reminder.due_at, Reminder.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    asap = row.kind == "deadline" and row.key.endswith(f":{ASAP}")
    return NextReminder(row.due_at, row.event, row.event_no, row.event_at, row.date_only, asap)


async def _next_due(session: AsyncSession, sub_id: int) -> datetime | None:
    return (
        await session.execute(
            select(func.min(Reminder.due_at)).where(
                Reminder.subscription_id == sub_id, Reminder.status == ReminderStatus.PENDING
            )
        )
    ).scalar_one()


async def subscribe(
    session: AsyncSession,
    user_id: int,
    kind: Literal["procedure", "contract"],
    number: str,
    defaults: Defaults,
    now: datetime,
) -> Subscribed:
    """Remind about a procedure's or a contract's deadlines (idempotent)."""
    user = await load_user(session, user_id)
    prefs = prefs_of(user, defaults)
    probe = Subscription(kind=kind, target=number)
    target = await target_of(session, probe, prefs.timezone, now)
    if target is None:
        noun = "Закупка" if kind == "procedure" else "Контракт"
        found = "найдена" if kind == "procedure" else "найден"
        raise NotFound(f"{noun} № {number} не {found} в базе.")
    if target.status in ENDED:
        words = ENDED_WORDS.get(target.ending) if target.ending else None
        ended = (words or "№ {n} уже не действует").format(n=number)
        raise Refused(f"{ended} — напоминать не о чем.")
    if not target.watch and not any(e.at > now for e in target.events):
        raise Refused(f"Все сроки по № {number} уже прошли — напоминать не о чем.")
    sub = await _existing(session, user_id, kind, number)
    created = sub is None
    if sub is None:
        await _check_quota(session, user_id)
        sub = Subscription(
            user_id=user_id,
            kind=kind,
            target=number,
            filters="",
            title=target.title[:500],
            active=True,
            created_at=now,
            seen_status="",
            seen_doc=0,
            last_seen_id=0,
        )
        session.add(sub)
        await session.flush()
    sub.active = True
    planned = await replan(session, sub, prefs, target, now, notify=False)
    await session.flush()
    first = await _next(session, sub.id)
    next_due = first.due_at if first is not None else None
    view = view_of(sub, next_due)
    await session.commit()
    return Subscribed(view, created, planned, next_due, prefs.leads, first, now)


def filters_key(filters: SearchFilters) -> str:
    parts = []
    if filters.region:
        parts.append(f"r={filters.region}")
    if filters.smp_only:
        parts.append("smp")
    if filters.max_price is not None:
        parts.append(f"p={int(filters.max_price)}")
    if filters.accepting_only:
        parts.append("acc")
    return ";".join(parts)


def parse_filters_key(key: str) -> SearchFilters:
    values: dict[str, str] = {}
    for part in key.split(";"):
        name, _, value = part.partition("=")
        if name:
            values[name] = value or "1"
    return SearchFilters(
        region=values.get("r"),
        smp_only="smp" in values,
        max_price=Decimal(values["p"]) if "p" in values else None,
        accepting_only="acc" in values,
    )


async def subscribe_search(
    session: AsyncSession, user_id: int, words: str, filters: SearchFilters, now: datetime
) -> Subscribed:
    """Save a search: new procedures that match it come as a digest."""
    await load_user(session, user_id)
    words = " ".join(words.split())[:300]
    if not words:
        raise BadInput("Сначала найдите что-нибудь: /find СЛОВА.")
    await search_procedures(session, words, filters, now, page_size=1)  # validates the words
    key = filters_key(filters)
    sub = await _existing(session, user_id, "search", words, key)
    created = sub is None
    if sub is None:
        await _check_quota(session, user_id)
        newest = (await session.execute(select(func.max(Procedure.id)))).scalar_one() or 0
        sub = Subscription(
            user_id=user_id,
            kind="search",
            target=words,
            filters=key,
            title=words,
            active=True,
            created_at=now,
            seen_status="",
            seen_doc=0,
            last_seen_id=int(newest),
        )
        session.add(sub)
        await session.flush()
    sub.active = True
    view = view_of(sub)
    await session.commit()
    return Subscribed(view, created, 0, None)


async def list_subscriptions(
    session: AsyncSession, user_id: int, page: int, page_size: int, kind: str | None = None
) -> tuple[list[SubscriptionView], int]:
    mine = [Subscription.user_id == user_id]
    if kind is not None:
        mine.append(Subscription.kind == kind)
    total = int(
        (
            await session.execute(select(func.count()).select_from(Subscription).where(*mine))
        ).scalar_one()
    )
    pending = (
        select(
            Reminder.subscription_id.label("sid"),
            func.min(Reminder.due_at).label("next_due"),
        )
        .where(Reminder.user_id == user_id, Reminder.status == ReminderStatus.PENDING)
        .group_by(Reminder.subscription_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(Subscription, pending.c.next_due)
            .outerjoin(pending, pending.c.sid == Subscription.id)
            .where(*mine)
            .order_by(Subscription.id.desc())
            .limit(page_size)
            .offset(max(page, 0) * page_size)
        )
    ).all()
    return [view_of(s, next_due) for s, next_due in rows], total


async def _own(session: AsyncSession, user_id: int, sub_id: int) -> Subscription:
    sub = await session.get(Subscription, sub_id)
    if sub is None or sub.user_id != user_id:  # someone else's: say nothing about it
        raise NotFound("Подписка не найдена — возможно, её уже удалили. Список: /reminders")
    return sub


async def set_paused(
    session: AsyncSession,
    user_id: int,
    sub_id: int,
    paused: bool,
    defaults: Defaults,
    now: datetime,
) -> SubscriptionView:
    sub = await _own(session, user_id, sub_id)
    sub.active = not paused
    if paused:
        await session.execute(
            update(Reminder)
            .where(Reminder.subscription_id == sub.id, Reminder.status == ReminderStatus.PENDING)
            .values(status=ReminderStatus.PAUSED)
        )
    else:
        await session.execute(
            update(Reminder)
            .where(Reminder.subscription_id == sub.id, Reminder.status == ReminderStatus.PAUSED)
            .values(status=ReminderStatus.PENDING)
        )
        prefs = await get_prefs(session, user_id, defaults)
        target = await target_of(session, sub, prefs.timezone, now)
        if target is not None:
            await replan(session, sub, prefs, target, now, notify=False)
    await session.flush()
    view = view_of(sub, await _next_due(session, sub.id))
    await session.commit()
    return view


async def delete_subscription(session: AsyncSession, user_id: int, sub_id: int) -> SubscriptionView:
    sub = await _own(session, user_id, sub_id)
    view = view_of(sub)
    await session.execute(delete(Reminder).where(Reminder.subscription_id == sub.id))
    await session.delete(sub)
    await session.commit()
    return view
