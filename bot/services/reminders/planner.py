"""Re-planning: a subscription's deadline rows made to match its target, after a settings
change (`update_prefs`) or when the procedure or contract changed (`reconcile`)."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import false, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reminders.prefs import Defaults, Prefs, get_prefs, load_user, prefs_of
from bot.services.reminders.targets import Target, target_of
from bot.services.schedule import (
    catch_up,
    format_leads,
    parse_lead_times,
    parse_quiet_hours,
    plan,
    resolve_timezone,
)
from bot.sources.records import ProcedureStatus
from models import (
    Contract,
    ExecutionDoc,
    Procedure,
    ProtocolStatus,
    Reminder,
    ReminderStatus,
    Subscription,
)

RECONCILE_LOCK_ID = 7_410_002  # PostgreSQL advisory lock: one reconcile at a time
OPEN_STATUSES = (ReminderStatus.PENDING, ReminderStatus.PAUSED)
# a row in one of these went (or may have gone) to Telegram: its event was reminded about
GONE_STATUSES = (
    ReminderStatus.CLAIMED,
    ReminderStatus.SENDING,
    ReminderStatus.SENT,
    ReminderStatus.UNKNOWN,
    ReminderStatus.FAILED,
)


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
    user = await load_user(session, user_id)
    if lead_times is not None:
        user.lead_times = format_leads(parse_lead_times(lead_times))
    if timezone is not None:
        user.timezone = resolve_timezone(timezone)
    if quiet_hours is not None:
        quiet = parse_quiet_hours(quiet_hours)
        user.quiet_hours = "" if quiet is None else str(quiet)
    if news is not None:
        user.news = news
    prefs = prefs_of(user, defaults)
    if lead_times is not None or timezone is not None or quiet_hours is not None:
        subs = (
            await session.execute(
                select(Subscription).where(
                    Subscription.user_id == user_id, Subscription.kind != "search"
                )
            )
        ).scalars()
        for sub in list(subs):
            target = await target_of(session, sub, prefs.timezone, now)
            if target is not None:
                await replan(session, sub, prefs, target, now, notify=False)
    await session.commit()
    return prefs


async def replan(
    session: AsyncSession,
    sub: Subscription,
    prefs: Prefs,
    target: Target,
    now: datetime,
    *,
    notify: bool,
) -> int:
    """Make the deadline rows of one subscription match its target; return rows to send.

    With `notify`, a moved deadline or a cancellation also queues one update message.
    An event ahead whose every lead time is behind gets one catch-up reminder at the earliest
    allowed moment (`schedule.catch_up`), unless it was reminded about already or a due
    reminder of it is still to go."""
    planned = plan(sub.id, target.events, prefs.leads, prefs.timezone, prefs.quiet, now)
    rows = (
        await session.execute(
            select(Reminder).where(Reminder.subscription_id == sub.id, Reminder.kind == "deadline")
        )
    ).scalars()
    existing = {r.key: r for r in rows}
    kept = {p.key: p for p in planned}  # open rows of these stay due unless the event moved
    reminded = {
        _event_key(r)
        for r in existing.values()
        if r.status in GONE_STATUSES
        or (r.status in OPEN_STATUSES and r.key in kept and r.event_at == kept[r.key].event.at)
    }
    planned += catch_up(sub.id, target.events, planned, prefs.timezone, prefs.quiet, now, reminded)
    desired = {p.key: p for p in planned}
    open_status = ReminderStatus.PENDING if sub.active else ReminderStatus.PAUSED
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
        if row.status in (ReminderStatus.CLAIMED, ReminderStatus.SENDING):
            continue  # in flight: the sender owns it
        moved = row.event_at != p.event.at
        if row.status in OPEN_STATUSES or (
            (moved or row.status == ReminderStatus.CANCELLED) and future
        ):
            row.event_at = p.event.at
            row.date_only = p.event.date_only
            row.due_at = p.due_at
            row.attempts = 0
            if moved and not future:  # the deadline moved and this lead is already behind
                row.status, row.outcome = ReminderStatus.CANCELLED, "superseded: deadline moved"
                continue
            row.status = open_status
            row.outcome = "rescheduled" if moved else row.outcome
            count += 1
    for key, row in existing.items():
        if key not in desired and row.status in OPEN_STATUSES:
            row.status = ReminderStatus.CANCELLED
            row.outcome = "superseded: event gone or lead time removed"
    if notify and sub.active:
        await _queue_update(session, sub, target, old_times, now)
    sub.title = target.title[:500]
    sub.seen_at = target.seen_at
    sub.seen_status = target.seen_status
    sub.seen_doc = target.seen_doc
    return count


def _event_key(row: Reminder) -> str:
    """The `Event.key` of a deadline row."""
    return f"{row.event}:{row.event_no}" if row.event_no else row.event


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
    gone = ProcedureStatus.CANCELLED
    cancelled = target.status == gone and sub.seen_status != gone
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
            status=ReminderStatus.PENDING,
            attempts=0,
            payload=json.dumps(payload, ensure_ascii=False),
            outcome="",
        )
    )


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
        target = await target_of(session, sub, prefs.timezone, now)
        if target is not None:
            await replan(session, sub, prefs, target, now, notify=True)
    await session.commit()
    return len(changed)
