"""Saved-search digests and legislative news: outbox rows for the reminders sender."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import upsert
from bot.services.procurement import search_procedures
from bot.services.reminders.subscriptions import parse_filters_key
from models import Procedure, Reminder, ReminderStatus, Subscription, User

DIGEST_ITEMS = 5


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
                status=ReminderStatus.PENDING,
                attempts=0,
                payload=json.dumps({"searches": searches}, ensure_ascii=False),
                outcome="",
            )
        )
    await session.commit()
    return len(per_user)


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
                "status": ReminderStatus.PENDING,
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
