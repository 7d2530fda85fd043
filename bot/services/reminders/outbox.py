"""The reminders outbox in the database: lease, claim, mark, record.

Claim / confirm protocol (why a killed process never makes a user see a reminder twice):

1. `claim_due` marks due `pending` rows `claimed` with a random token in one conditional
   UPDATE (PostgreSQL adds ``FOR UPDATE SKIP LOCKED``), so two pollers never take a row twice.
2. Before the HTTP calls the sender marks the rows it is about to send `sending`
   (`mark_sending`, committed; a message is sent only after the commit that marked it). It
   marks a short look-ahead (`bot.telegram.outbox.LOOKAHEAD`, 0.2 s of sending) while earlier rows
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

Deadline rows of one subscription due at the same moment (catch-up reminders of a late
subscription, two events whose leads meet) become one message at claim time
(`due.merge_same_moment`): the row of the nearest event carries the others' events in its
payload, written in the commit that drops theirs as merged, so the protocol above still
sends each message, and so each event, at most once.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outcome import Outcome, OutcomeStatus
from bot.services.reminders.due import DueReminder, due_of, merge_same_moment
from models import Reminder, ReminderStatus, Subscription, User

log = logging.getLogger("smebot.reminders")
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(minutes=1)


def new_token() -> str:
    return secrets.token_hex(16)


async def release_expired(session: AsyncSession, now: datetime, lease: timedelta = LEASE) -> int:
    """Recover rows of a process that died: claimed → pending, sending → unknown."""
    cutoff = now - lease
    released = await session.execute(
        update(Reminder)
        .where(Reminder.status == ReminderStatus.CLAIMED, Reminder.claimed_at < cutoff)
        .values(status=ReminderStatus.PENDING, claim_token=None)
    )
    unknown = await session.execute(
        update(Reminder)
        .where(Reminder.status == ReminderStatus.SENDING, Reminder.claimed_at < cutoff)
        .values(
            status=ReminderStatus.UNKNOWN,
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
        .where(Reminder.status == ReminderStatus.UNKNOWN)
        .order_by(Reminder.claimed_at, Reminder.id)
        .limit(limit)
    )
    return [UnknownRow(*row) for row in rows.tuples()]


async def release_claimed(session: AsyncSession, token: str) -> int:
    """A graceful stop: rows claimed but never handed to Telegram go back to pending."""
    result = await session.execute(
        update(Reminder)
        .where(Reminder.claim_token == token, Reminder.status == ReminderStatus.CLAIMED)
        .values(status=ReminderStatus.PENDING, claim_token=None)
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
        .where(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)
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
                .values(status=ReminderStatus.CLAIMED, claim_token=token, claimed_at=now)
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
                Reminder.due_at,
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
            drops.append({"id": r.id, "status": ReminderStatus.DROPPED, "outcome": "user inactive"})
        elif r.kind == "deadline" and (r.event_at is None or r.event_at <= now):
            drops.append(
                {"id": r.id, "status": ReminderStatus.DROPPED, "outcome": "stale: event passed"}
            )
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
            out.append(due_of(r))
    carriers, merged = merge_same_moment(list(keep.values()))
    out.extend(due_of(r, payload) for r, payload in carriers)
    await _record_drops(session, drops + merged, carriers)
    out.sort(key=lambda d: d.id)
    return len(rows), out


async def _record_drops(
    session: AsyncSession,
    drops: list[dict[str, Any]],
    carriers: list[tuple[Any, dict[str, Any] | None]],
) -> None:
    """The dropped rows, and the merged events written into the row carrying them, in one
    commit: a retried or recovered carrier still tells them, and none is ever told twice."""
    merges = [{"id": r.id, "payload": json.dumps(p)} for r, p in carriers if p is not None]
    if not drops and not merges:
        return
    for values in (drops, merges):
        if values:
            await session.execute(update(Reminder), values)
    await session.commit()


def _superseded(row_id: int) -> dict[str, Any]:
    return {
        "id": row_id,
        "status": ReminderStatus.DROPPED,
        "outcome": "superseded by a shorter lead",
    }


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
    where = [Reminder.id.in_(ids), Reminder.status == ReminderStatus.CLAIMED]
    if token is not None:
        where.append(Reminder.claim_token == token)
    marked = (
        await session.execute(
            update(Reminder)
            .where(*where)
            .values(status=ReminderStatus.SENDING, claimed_at=now)
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
        if o.status == OutcomeStatus.SENT:
            row |= {"status": ReminderStatus.SENT, "sent_at": now, "message_id": o.message_id}
            row["outcome"] = "sent"
        elif o.status == OutcomeStatus.BLOCKED:
            row |= {"status": ReminderStatus.FAILED, "outcome": f"blocked: {o.error}"[:200]}
            blocked.add(o.chat_id)
        elif o.status == OutcomeStatus.RETRY and total < MAX_ATTEMPTS:
            delay = RETRY_BASE * (2 ** min(total, 6))
            row |= {
                "status": ReminderStatus.PENDING,
                "due_at": now + delay,
                "outcome": f"retry: {o.error}"[:200],
            }
        else:
            row |= {"status": ReminderStatus.FAILED, "outcome": f"failed: {o.error}"[:200]}
        values.append(row)
    if values:
        await session.execute(update(Reminder), values)
    if blocked:
        await session.execute(update(User).where(User.id.in_(blocked)).values(is_active=False))
    if commit:
        await session.commit()
