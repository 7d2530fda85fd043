"""A claimed outbox row as the sender sees it, and the merging of one subscription's
deadline rows due at the same moment into one message."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import ReminderStatus


@dataclass(frozen=True, slots=True)
class DueEvent:
    """Another deadline of the same subscription, told in the same message (see
    `merge_same_moment`)."""

    event: str
    event_no: int
    event_at: datetime
    date_only: bool


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
    also: tuple[DueEvent, ...] = ()  # deadline rows merged into this one (payload «with»)


def merge_same_moment(
    rows: list[Any],
) -> tuple[list[tuple[Any, dict[str, Any] | None]], list[dict[str, Any]]]:
    """Deadline rows of one subscription due at the same moment (the catch-up reminders of a
    subscription made when several lead times were already behind) make one message: the row
    of the nearest event carries the others in its payload («with»); theirs are dropped as
    merged. Returns the carriers with their new payload (None: unchanged) and the drops."""
    groups: dict[tuple[int | None, datetime], list[Any]] = {}
    for r in rows:
        groups.setdefault((r.subscription_id, r.due_at), []).append(r)
    carriers: list[tuple[Any, dict[str, Any] | None]] = []
    drops: list[dict[str, Any]] = []
    for group in groups.values():
        group.sort(key=lambda r: (r.event_at, r.id))
        carrier, rest = group[0], group[1:]
        if not rest or carrier.subscription_id is None:
            carriers.extend((r, None) for r in group)
            continue
        payload = json.loads(carrier.payload) if carrier.payload else {}
        events = list(payload.get("with", []))
        for r in rest:
            events.append(_event(r))
            events.extend(json.loads(r.payload).get("with", []) if r.payload else [])
            merged = f"merged into reminder {carrier.id}"
            drops.append({"id": r.id, "status": ReminderStatus.DROPPED, "outcome": merged})
        carriers.append((carrier, payload | {"with": events}))
    return carriers, drops


def _event(r: Any) -> dict[str, Any]:
    return {
        "event": r.event,
        "no": r.event_no,
        "at": r.event_at.isoformat(),
        "date_only": bool(r.date_only),
    }


def due_of(r: Any, payload: dict[str, Any] | None = None) -> DueReminder:
    if payload is None:
        payload = json.loads(r.payload) if r.payload else {}
    also = tuple(
        DueEvent(e["event"], int(e["no"]), datetime.fromisoformat(e["at"]), bool(e["date_only"]))
        for e in payload.get("with", [])
    )
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
        payload=payload,
        also=also,
    )
