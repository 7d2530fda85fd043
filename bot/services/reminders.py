"""Subscriptions and the reminders outbox.

Claim / confirm protocol (why a killed process never makes a user see a reminder twice):

1. `claim_due` marks due `pending` rows `claimed` with a random token in one conditional
   UPDATE (PostgreSQL adds ``FOR UPDATE SKIP LOCKED``), so two pollers never take a row twice.
2. Before the HTTP calls the sender marks the rows it is about to send `sending`
   (`mark_sending`, committed; a message is sent only after the commit that marked it). It
   marks a short look-ahead (`bot.delivery.LOOKAHEAD`, 0.2 s of sending) while earlier rows
   go out, so the outbox writes never leave the rate limiter idle. Rows only `claimed` never
   reached Telegram.
3. After Telegram answers, `record_outcomes` writes `sent` (with the message id), `failed`,
   or puts the row back to `pending` with a back-off for a retryable error.
4. After a crash, `release_expired` returns rows `claimed` longer than the lease to
   `pending` (they were never sent) and turns rows left `sending` into `unknown`: Telegram may
   or may not have delivered them and the Bot API cannot tell, so they are *not* resent. At
   most the messages in flight at the moment of the kill and the look-ahead (0.2 s of
   sending: 5 messages at 25/s) are affected, and each is recorded. A graceful stop sends
   the rows already marked and releases its claimed rows at once.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, false, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import BadInput, NotFound, Refused
from bot.services.procurement import (
    SearchFilters,
    get_contract,
    procedure_status,
    procedure_with_status,
    same_contract,
    search_procedures,
)
from bot.services.schedule import (
    Event,
    QuietHours,
    date_event,
    eis_day,
    format_leads,
    parse_lead_times,
    parse_quiet_hours,
    plan,
    resolve_timezone,
)
from models import Contract, ExecutionDoc, Procedure, ProtocolStatus, Reminder, Subscription, User

log = logging.getLogger("smebot.reminders")
LEASE = timedelta(minutes=10)
RECONCILE_LOCK_ID = 7_410_002  # PostgreSQL advisory lock: one reconcile at a time
MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(minutes=1)
MAX_SUBSCRIPTIONS = 200
DIGEST_ITEMS = 5
OPEN_STATUSES = ("pending", "paused")
FINISHED_CONTRACT = {"EC", "ET", "IN"}  # executed, terminated, annulled


# ----------------------------------------------------------------- preferences
@dataclass(frozen=True, slots=True)
class Defaults:
    """Configured defaults: REMINDER_LEAD_TIMES, QUIET_HOURS, DEFAULT_TIMEZONE."""

    lead_times: str = "3d,1d,3h"
    quiet_hours: str = "22:00-08:00"
    timezone: str = "Asia/Yekaterinburg"


@dataclass(frozen=True, slots=True)
class Prefs:
    leads: tuple[int, ...]
    timezone: str
    quiet: QuietHours | None
    news: bool
    custom_leads: bool
    custom_quiet: bool

    @property
    def leads_text(self) -> str:
        return format_leads(self.leads)


def _prefs(user: User, defaults: Defaults) -> Prefs:
    leads_text = user.lead_times if user.lead_times is not None else defaults.lead_times
    quiet_text = user.quiet_hours if user.quiet_hours is not None else defaults.quiet_hours
    return Prefs(
        leads=parse_lead_times(leads_text),
        timezone=user.timezone,
        quiet=parse_quiet_hours(quiet_text),
        news=user.news,
        custom_leads=user.lead_times is not None,
        custom_quiet=user.quiet_hours is not None,
    )


async def _user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("Напишите боту /start, чтобы настроить напоминания.")
    return user


async def get_prefs(session: AsyncSession, user_id: int, defaults: Defaults) -> Prefs:
    return _prefs(await _user(session, user_id), defaults)


async def update_prefs(
    session: AsyncSession,
    user_id: int,
    defaults: Defaults,
    now: datetime,
    *,
    lead_times: str | None = None,
    timezone: str | None = None,
    quiet_hours: str | None = None,
    news: bool | None = None,
) -> Prefs:
    """Validate and store one or more settings, then re-plan the user's reminders."""
    user = await _user(session, user_id)
    if lead_times is not None:
        user.lead_times = format_leads(parse_lead_times(lead_times))
    if timezone is not None:
        user.timezone = resolve_timezone(timezone)
    if quiet_hours is not None:
        quiet = parse_quiet_hours(quiet_hours)
        user.quiet_hours = "" if quiet is None else str(quiet)
    if news is not None:
        user.news = news
    prefs = _prefs(user, defaults)
    if lead_times is not None or timezone is not None or quiet_hours is not None:
        subs = (
            await session.execute(
                select(Subscription).where(
                    Subscription.user_id == user_id, Subscription.kind != "search"
                )
            )
        ).scalars()
        for sub in list(subs):
            target = await _target(session, sub, prefs.timezone, now)
            if target is not None:
                await _replan(session, sub, prefs, target, now, notify=False)
    await session.commit()
    return prefs


# ----------------------------------------------------------------- targets
@dataclass(frozen=True, slots=True)
class Target:
    title: str
    events: list[Event]
    status: str  # accepting | closed | finished | cancelled | active | done
    seen_at: datetime | None
    seen_status: str
    seen_doc: int
    watch: bool = False  # worth following with no deadline ahead (a payment overdue)


async def _procedure_target(
    session: AsyncSession, number: str, tz: str, now: datetime
) -> Target | None:
    found = await procedure_with_status(session, number)
    if found is None:
        return None
    p, protocol = found
    status = procedure_status(p.status, protocol, p.applications_end, now)
    events: list[Event] = []
    if status not in ("cancelled", "finished"):
        for name, at in (
            ("applications_end", p.applications_end),
            ("auction", p.auction_at),
            ("summarizing", p.summarizing_at),
        ):
            day = eis_day(at) if name == "auction" else None  # an auction day, no time
            if day is not None:
                events.append(date_event(name, day, tz))
            elif at is not None:
                events.append(Event(name, at))
    return Target(p.title, events, status, p.updated_at, protocol or "", 0)


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
    done = (card.status_code or "") in FINISHED_CONTRACT or card.terminated_on is not None
    if not done:
        for stage in card.stages:
            if stage.end is not None:
                events.append(date_event("stage_end", stage.end, tz, stage.number))
        if card.execution_end is not None:
            events.append(date_event("execution_end", card.execution_end, tz))
    if card.payment_due is not None:
        events.append(date_event("payment_due", card.payment_due, tz))
    title = f"{card.supplier_name} — {card.customer_name}" if card.complete else card.number
    status = "done" if done else "active"
    # an overdue payment is followed until it is paid (a new document) or the next stage
    watch = card.payment_overdue and not done
    return Target(title, events, status, meta[0], status, int(meta[1] or 0), watch)


async def _target(
    session: AsyncSession, sub: Subscription, tz: str, now: datetime
) -> Target | None:
    if sub.kind == "procedure":
        return await _procedure_target(session, sub.target, tz, now)
    if sub.kind == "contract":
        return await _contract_target(session, sub.target, tz, now)
    return None


# ----------------------------------------------------------------- planning
async def _replan(
    session: AsyncSession,
    sub: Subscription,
    prefs: Prefs,
    target: Target,
    now: datetime,
    *,
    notify: bool,
) -> int:
    """Make the deadline rows of one subscription match its target; return rows to send.

    With `notify`, a moved deadline or a cancellation also queues one update message."""
    desired = {
        p.key: p for p in plan(sub.id, target.events, prefs.leads, prefs.timezone, prefs.quiet, now)
    }
    rows = (
        await session.execute(
            select(Reminder).where(Reminder.subscription_id == sub.id, Reminder.kind == "deadline")
        )
    ).scalars()
    existing = {r.key: r for r in rows}
    open_status = "pending" if sub.active else "paused"
    old_times = {(r.event, r.event_no): r.event_at for r in existing.values()}
    count = 0
    for key, p in desired.items():
        row = existing.get(key)
        future = p.due_at >= now
        if row is None:
            if future:
                session.add(
                    Reminder(
                        user_id=sub.user_id,
                        subscription_id=sub.id,
                        key=key,
                        kind="deadline",
                        event=p.event.name,
                        event_no=p.event.number,
                        event_at=p.event.at,
                        date_only=p.event.date_only,
                        lead_minutes=p.lead_minutes,
                        due_at=p.due_at,
                        status=open_status,
                        attempts=0,
                        payload="",
                        outcome="",
                    )
                )
                count += 1
            continue
        if row.status in ("claimed", "sending"):
            continue  # in flight: the sender owns it
        moved = row.event_at != p.event.at
        if row.status in OPEN_STATUSES or ((moved or row.status == "cancelled") and future):
            row.event_at = p.event.at
            row.date_only = p.event.date_only
            row.due_at = p.due_at
            row.attempts = 0
            if moved and not future:  # the deadline moved and this lead is already behind
                row.status, row.outcome = "cancelled", "superseded: deadline moved"
                continue
            row.status = open_status
            row.outcome = "rescheduled" if moved else row.outcome
            count += 1
    for key, row in existing.items():
        if key not in desired and row.status in OPEN_STATUSES:
            row.status = "cancelled"
            row.outcome = "superseded: event gone or lead time removed"
    if notify and sub.active:
        await _queue_update(session, sub, target, old_times, now)
    sub.title = target.title[:500]
    sub.seen_at = target.seen_at
    sub.seen_status = target.seen_status
    sub.seen_doc = target.seen_doc
    return count


async def _queue_update(
    session: AsyncSession,
    sub: Subscription,
    target: Target,
    old_times: dict[tuple[str, int], datetime | None],
    now: datetime,
) -> None:
    changes = []
    for event in target.events:
        old = old_times.get((event.name, event.number))
        if old is not None and old != event.at and event.at > now:
            if event.date_only and abs(event.at - old) < timedelta(days=1):
                continue  # the same day (stored at 09:00 before issue 18): not a move
            changes.append(
                {
                    "event": event.name,
                    "no": event.number,
                    "old": old.isoformat(),
                    "new": event.at.isoformat(),
                    "date_only": event.date_only,
                }
            )
    cancelled = target.status == "cancelled" and sub.seen_status != "cancelled"
    if not changes and not cancelled:
        return
    payload = {"changes": changes, "cancelled": cancelled}
    digest = secrets.token_hex(4)
    session.add(
        Reminder(
            user_id=sub.user_id,
            subscription_id=sub.id,
            key=f"s{sub.id}:update:{now.isoformat()}:{digest}",
            kind="update",
            event="cancelled" if cancelled else "moved",
            event_no=0,
            event_at=None,
            date_only=False,
            lead_minutes=0,
            due_at=now,
            status="pending",
            attempts=0,
            payload=json.dumps(payload, ensure_ascii=False),
            outcome="",
        )
    )


# ----------------------------------------------------------------- subscriptions
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
class Subscribed:
    view: SubscriptionView
    created: bool
    planned: int
    next_due: datetime | None
    leads: tuple[int, ...] = field(default=())


def _view(sub: Subscription, next_due: datetime | None = None) -> SubscriptionView:
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


async def _next_due(session: AsyncSession, sub_id: int) -> datetime | None:
    return (
        await session.execute(
            select(func.min(Reminder.due_at)).where(
                Reminder.subscription_id == sub_id, Reminder.status == "pending"
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
    user = await _user(session, user_id)
    prefs = _prefs(user, defaults)
    probe = Subscription(kind=kind, target=number)
    target = await _target(session, probe, prefs.timezone, now)
    noun = "Закупка" if kind == "procedure" else "Контракт"
    if target is None:
        raise NotFound(f"{noun} № {number} не найден(а) в базе.")
    if target.status in ("cancelled", "finished", "done"):
        raise Refused(f"{noun} № {number} уже завершен(а) — напоминать не о чем.")
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
    planned = await _replan(session, sub, prefs, target, now, notify=False)
    await session.flush()
    next_due = await _next_due(session, sub.id)
    view = _view(sub, next_due)
    await session.commit()
    return Subscribed(view, created, planned, next_due, prefs.leads)


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
    from decimal import Decimal

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
    await _user(session, user_id)
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
    view = _view(sub)
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
        .where(Reminder.user_id == user_id, Reminder.status == "pending")
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
    return [_view(s, next_due) for s, next_due in rows], total


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
            .where(Reminder.subscription_id == sub.id, Reminder.status == "pending")
            .values(status="paused")
        )
    else:
        await session.execute(
            update(Reminder)
            .where(Reminder.subscription_id == sub.id, Reminder.status == "paused")
            .values(status="pending")
        )
        prefs = await get_prefs(session, user_id, defaults)
        target = await _target(session, sub, prefs.timezone, now)
        if target is not None:
            await _replan(session, sub, prefs, target, now, notify=False)
    await session.flush()
    view = _view(sub, await _next_due(session, sub.id))
    await session.commit()
    return view


async def delete_subscription(session: AsyncSession, user_id: int, sub_id: int) -> SubscriptionView:
    sub = await _own(session, user_id, sub_id)
    view = _view(sub)
    await session.execute(delete(Reminder).where(Reminder.subscription_id == sub.id))
    await session.delete(sub)
    await session.commit()
    return view


# ----------------------------------------------------------------- periodic work
async def reconcile(session: AsyncSession, defaults: Defaults, now: datetime) -> int:
    """Re-plan subscriptions whose procedure or contract changed since they were planned
    (a moved deadline, a cancellation, a new acceptance); queue one update message each.

    One reconcile at a time (two at once queued a duplicate «срок перенесён»): on PostgreSQL
    an advisory lock held until the commit; on SQLite a first, empty write opens the
    transaction with BEGIN IMMEDIATE, so the next reconcile waits for the write lock before
    it reads what changed."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        await session.execute(text(f"SELECT pg_advisory_xact_lock({RECONCILE_LOCK_ID})"))
    elif dialect == "sqlite":
        await session.execute(
            update(Subscription).where(false()).values(seen_doc=Subscription.seen_doc)
        )
    proc_changed = (
        select(Subscription)
        .join(Procedure, Procedure.number == Subscription.target)
        .outerjoin(ProtocolStatus, ProtocolStatus.procedure_number == Subscription.target)
        .where(
            Subscription.kind == "procedure",
            or_(
                Subscription.seen_at.is_(None),
                Procedure.updated_at != Subscription.seen_at,
                func.coalesce(ProtocolStatus.status, "") != Subscription.seen_status,
            ),
        )
    )
    last_doc = (
        select(func.max(ExecutionDoc.id))
        .where(ExecutionDoc.contract_number == Subscription.target)
        .correlate(Subscription)
        .scalar_subquery()
    )
    contract_changed = (
        select(Subscription)
        .join(Contract, Contract.number == Subscription.target)
        .where(
            Subscription.kind == "contract",
            or_(
                Subscription.seen_at.is_(None),
                Contract.updated_at != Subscription.seen_at,
                func.coalesce(last_doc, 0) != Subscription.seen_doc,
            ),
        )
    )
    changed = list((await session.execute(proc_changed)).scalars())
    changed += list((await session.execute(contract_changed)).scalars())
    prefs_cache: dict[int, Prefs] = {}
    for sub in changed:
        prefs = prefs_cache.get(sub.user_id)
        if prefs is None:
            prefs = prefs_cache[sub.user_id] = await get_prefs(session, sub.user_id, defaults)
        target = await _target(session, sub, prefs.timezone, now)
        if target is not None:
            await _replan(session, sub, prefs, target, now, notify=True)
    await session.commit()
    return len(changed)


async def collect_digests(session: AsyncSession, now: datetime) -> int:
    """New procedures matching saved searches: one digest row per user per run."""
    newest = (await session.execute(select(func.max(Procedure.id)))).scalar_one() or 0
    subs = list(
        (
            await session.execute(
                select(Subscription)
                .where(
                    Subscription.kind == "search",
                    Subscription.active.is_(True),
                    Subscription.last_seen_id < newest,
                )
                .order_by(Subscription.user_id, Subscription.id)
            )
        ).scalars()
    )
    per_user: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for sub in subs:
        page = await search_procedures(
            session,
            sub.target,
            parse_filters_key(sub.filters),
            now,
            page_size=DIGEST_ITEMS,
            after_id=sub.last_seen_id,
        )
        sub.last_seen_id = int(newest)
        if page.total == 0:
            continue
        per_user[sub.user_id].append(
            {
                "sub": sub.id,
                "words": sub.target,
                "total": page.total,
                "more": page.more,
                "items": [
                    {
                        "number": item.number,
                        "title": item.title[:200],
                        "max_price": str(item.max_price) if item.max_price is not None else None,
                        "currency": item.currency,
                        "applications_end": item.applications_end.isoformat()
                        if item.applications_end
                        else None,
                    }
                    for item in page.items
                ],
            }
        )
    for user_id, searches in per_user.items():
        session.add(
            Reminder(
                user_id=user_id,
                subscription_id=None,
                key=f"digest:{newest}",
                kind="digest",
                event="digest",
                event_no=0,
                event_at=None,
                date_only=False,
                lead_minutes=0,
                due_at=now,
                status="pending",
                attempts=0,
                payload=json.dumps({"searches": searches}, ensure_ascii=False),
                outcome="",
            )
        )
    await session.commit()
    return len(per_user)


# ----------------------------------------------------------------- the outbox
@dataclass(frozen=True, slots=True)
class DueReminder:
    id: int
    user_id: int
    kind: str  # deadline | update | digest | news
    event: str
    event_no: int
    event_at: datetime | None
    date_only: bool
    lead_minutes: int
    subscription_id: int | None
    sub_kind: str
    target: str
    title: str
    timezone: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one message: sent | blocked | failed | retry."""

    id: int
    status: Literal["sent", "blocked", "failed", "retry"]
    message_id: int | None = None
    error: str = ""
    attempts: int = 1
    chat_id: int = 0


def new_token() -> str:
    return secrets.token_hex(16)


async def release_expired(session: AsyncSession, now: datetime, lease: timedelta = LEASE) -> int:
    """Recover rows of a process that died: claimed → pending, sending → unknown."""
    cutoff = now - lease
    released = await session.execute(
        update(Reminder)
        .where(Reminder.status == "claimed", Reminder.claimed_at < cutoff)
        .values(status="pending", claim_token=None)
    )
    unknown = await session.execute(
        update(Reminder)
        .where(Reminder.status == "sending", Reminder.claimed_at < cutoff)
        .values(
            status="unknown",
            outcome="interrupted while sending: delivery unknown, not resent",
        )
    )
    await session.commit()
    lost = int(unknown.rowcount or 0)  # type: ignore[attr-defined]
    if lost:
        log.warning(
            "%d outbox rows were in flight when a sender stopped: marked unknown, not resent "
            "(list them with `smebot outbox unknown`)",
            lost,
        )
    return int(released.rowcount or 0) + lost  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class UnknownRow:
    """An outbox row whose delivery nobody knows (the sender died during its HTTP call)."""

    id: int
    user_id: int
    kind: str
    event: str
    due_at: datetime
    claimed_at: datetime | None
    outcome: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "kind": self.kind,
            "event": self.event,
            "due_at": self.due_at.isoformat(),
            "claimed_at": self.claimed_at.isoformat() if self.claimed_at else None,
            "outcome": self.outcome,
        }


async def unknown_rows(session: AsyncSession, limit: int = 1000) -> list[UnknownRow]:
    rows = await session.execute(
        select(
            Reminder.id,
            Reminder.user_id,
            Reminder.kind,
            Reminder.event,
            Reminder.due_at,
            Reminder.claimed_at,
            Reminder.outcome,
        )
        .where(Reminder.status == "unknown")
        .order_by(Reminder.claimed_at, Reminder.id)
        .limit(limit)
    )
    return [UnknownRow(*row) for row in rows.tuples()]


async def release_claimed(session: AsyncSession, token: str) -> int:
    """A graceful stop: rows claimed but never handed to Telegram go back to pending."""
    result = await session.execute(
        update(Reminder)
        .where(Reminder.claim_token == token, Reminder.status == "claimed")
        .values(status="pending", claim_token=None)
    )
    await session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def claim_due(
    session: AsyncSession, now: datetime, token: str, limit: int
) -> tuple[int, list[DueReminder]]:
    """Atomically claim up to `limit` due rows; drop stale, superseded and inactive ones
    (recorded); return how many were claimed and those to send."""
    candidates = (
        select(Reminder.id)
        .where(Reminder.status == "pending", Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(
        (
            await session.execute(
                update(Reminder)
                .where(Reminder.id.in_(candidates.scalar_subquery()))
                .values(status="claimed", claim_token=token, claimed_at=now)
                .returning(Reminder.id)
                .execution_options(synchronize_session=False)
            )
        ).scalars()
    )
    await session.commit()
    if not ids:
        return 0, []
    # only the rows of this call: earlier claims of the same token may still be queued;
    # plain columns, not ORM objects: this runs on the event loop while the sender sends
    rows = (
        await session.execute(
            select(
                Reminder.id,
                Reminder.user_id,
                Reminder.kind,
                Reminder.event,
                Reminder.event_no,
                Reminder.event_at,
                Reminder.date_only,
                Reminder.lead_minutes,
                Reminder.subscription_id,
                Reminder.payload,
                Subscription.kind.label("sub_kind"),
                Subscription.target,
                Subscription.title,
                User.timezone,
                User.is_active,
            )
            .join(User, User.id == Reminder.user_id)
            .outerjoin(Subscription, Subscription.id == Reminder.subscription_id)
            .where(Reminder.id.in_(ids))
            .order_by(Reminder.due_at, Reminder.id)
        )
    ).all()
    drops: list[dict[str, Any]] = []
    keep: dict[tuple[int | None, str, int], Any] = {}
    out: list[DueReminder] = []
    for r in rows:
        if not r.is_active:
            drops.append({"id": r.id, "status": "dropped", "outcome": "user inactive"})
        elif r.kind == "deadline" and (r.event_at is None or r.event_at <= now):
            drops.append({"id": r.id, "status": "dropped", "outcome": "stale: event passed"})
        elif r.kind == "deadline":
            group = (r.subscription_id, r.event, r.event_no)
            held = keep.get(group)
            if held is None or r.lead_minutes < held.lead_minutes:
                if held is not None:
                    drops.append(_superseded(held.id))
                keep[group] = r
            else:
                drops.append(_superseded(r.id))
        else:
            out.append(_due(r))
    out.extend(_due(r) for r in keep.values())
    if drops:
        await session.execute(update(Reminder), drops)
        await session.commit()
    out.sort(key=lambda d: d.id)
    return len(rows), out


def _superseded(row_id: int) -> dict[str, Any]:
    return {"id": row_id, "status": "dropped", "outcome": "superseded by a shorter lead"}


def _due(r: Any) -> DueReminder:
    return DueReminder(
        id=r.id,
        user_id=r.user_id,
        kind=r.kind,
        event=r.event,
        event_no=r.event_no,
        event_at=r.event_at,
        date_only=r.date_only,
        lead_minutes=r.lead_minutes,
        subscription_id=r.subscription_id,
        sub_kind=r.sub_kind or "",
        target=r.target or "",
        title=r.title or "",
        timezone=r.timezone,
        payload=json.loads(r.payload) if r.payload else {},
    )


async def record_tick(
    session: AsyncSession,
    sending: list[int],
    outcomes: list[Outcome],
    now: datetime,
    token: str | None = None,
) -> list[int]:
    """One transaction per sender tick: the answers since the last tick, and the rows about
    to be handed to Telegram (committed before the HTTP calls). Returns the ids marked: the
    only ones the caller may send."""
    await record_outcomes(session, outcomes, now, commit=False)
    marked = await mark_sending(session, sending, now, commit=False, token=token)
    await session.commit()
    return marked


async def mark_sending(
    session: AsyncSession,
    ids: Iterable[int],
    now: datetime,
    *,
    commit: bool = True,
    token: str | None = None,
) -> list[int]:
    """Committed right before the HTTP calls: from here a crash means «unknown», not resend.

    Only rows still claimed by `token` are marked, and only their ids are returned: a sender
    that held its claim past the lease (a long 429, a paused machine) finds its rows released
    and claimed by another process, and must not send them too."""
    ids = list(ids)
    if not ids:
        return []
    where = [Reminder.id.in_(ids), Reminder.status == "claimed"]
    if token is not None:
        where.append(Reminder.claim_token == token)
    marked = (
        await session.execute(
            update(Reminder)
            .where(*where)
            .values(status="sending", claimed_at=now)
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
    ).scalars()
    result = sorted(marked)
    if commit:
        await session.commit()
    return result


async def record_outcomes(
    session: AsyncSession, outcomes: Iterable[Outcome], now: datetime, *, commit: bool = True
) -> None:
    outcomes = list(outcomes)
    if not outcomes:
        return
    ids = [o.id for o in outcomes]
    found = await session.execute(
        select(Reminder.id, Reminder.attempts).where(Reminder.id.in_(ids))
    )
    attempts = {row_id: count for row_id, count in found.tuples()}
    values: list[dict[str, Any]] = []
    blocked: set[int] = set()
    for o in outcomes:
        if o.id not in attempts:
            continue  # the subscription was deleted meanwhile
        total = attempts[o.id] + o.attempts
        row: dict[str, Any] = {"id": o.id, "attempts": total, "claim_token": None}
        if o.status == "sent":
            row |= {"status": "sent", "sent_at": now, "message_id": o.message_id, "outcome": "sent"}
        elif o.status == "blocked":
            row |= {"status": "failed", "outcome": f"blocked: {o.error}"[:200]}
            blocked.add(o.chat_id)
        elif o.status == "retry" and total < MAX_ATTEMPTS:
            delay = RETRY_BASE * (2 ** min(total, 6))
            row |= {
                "status": "pending",
                "due_at": now + delay,
                "outcome": f"retry: {o.error}"[:200],
            }
        else:
            row |= {"status": "failed", "outcome": f"failed: {o.error}"[:200]}
        values.append(row)
    if values:
        await session.execute(update(Reminder), values)
    if blocked:
        await session.execute(update(User).where(User.id.in_(blocked)).values(is_active=False))
    if commit:
        await session.commit()


async def queue_news(
    session: AsyncSession,
    article_id: str,
    title: str,
    version: int,
    now: datetime,
) -> int:
    """Legislative news: one outbox row per active user who switched news on (/settings);
    the reminders job sends them through the same rate-limited sender. Idempotent per
    article version."""
    from bot.db import upsert

    users = list(
        (
            await session.execute(
                select(User.id).where(User.news.is_(True), User.is_active.is_(True))
            )
        ).scalars()
    )
    payload = json.dumps({"article_id": article_id, "title": title}, ensure_ascii=False)
    dialect = session.get_bind().dialect.name
    queued = 0
    for start in range(0, len(users), 500):
        rows = [
            {
                "user_id": user_id,
                "subscription_id": None,
                "key": f"news:{article_id}:{version}"[:160],
                "kind": "news",
                "event": "news",
                "event_no": 0,
                "event_at": None,
                "date_only": False,
                "lead_minutes": 0,
                "due_at": now,
                "status": "pending",
                "attempts": 0,
                "payload": payload,
                "outcome": "",
            }
            for user_id in users[start : start + 500]
        ]
        result = await session.execute(
            upsert(Reminder.__table__, rows, dialect=dialect, index_elements=["user_id", "key"])
        )
        queued += int(result.rowcount or 0)  # type: ignore[attr-defined]
    await session.commit()
    return queued
