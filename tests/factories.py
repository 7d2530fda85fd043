"""Small builders of rows for service tests (real schema, no importer round trip)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.services.importer.rows import search_text
from bot.services.users import Contact, touch_user
from knowledge.loader import Article
from models import Procedure, Reminder, Subscription, User

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)

# A valid knowledge-base article file (loader and store tests vary it line by line).
ARTICLE_BODY = " ".join(["Слово"] * 120)
GOOD_ARTICLE = f"""---
id: test-article
title: Тестовая статья
section: smp
questions:
  - Первый вопрос?
  - Второй вопрос?
  - Третий вопрос?
tags: [смп]
laws:
  - ч. 1 ст. 30 44-ФЗ
applies_to: 44-ФЗ
updated: 2026-11-26
reviewed_by: редакция
related: []
---
{ARTICLE_BODY}
"""


def article_file(laws: list[str], body: str = ARTICLE_BODY, applies_to: str = "44-ФЗ") -> str:
    """GOOD_ARTICLE's file text with other `laws`, body and `applies_to`."""
    listed = "".join(f"  - {law}\n" for law in laws)
    return (
        GOOD_ARTICLE.replace("  - ч. 1 ст. 30 44-ФЗ\n", listed)
        .replace(ARTICLE_BODY, body)
        .replace("applies_to: 44-ФЗ", f"applies_to: {applies_to}")
    )


def article(
    id_: str,
    title: str,
    body: str,
    *,
    section: str = "application",
    laws: tuple[str, ...] = (),
    phrasings: tuple[str, ...] = (),
) -> Article:
    """An in-memory article for search tests (no file, no validation)."""
    return Article(
        id=id_,
        title=title,
        section=section,
        questions=(),
        tags=(),
        laws=laws,
        applies_to="44-ФЗ",
        updated=date(2026, 11, 1),
        reviewed_by="тест",
        body=body,
        phrasings=phrasings,
    )


async def add_user(session: AsyncSession, user_id: int, tz: str = "Asia/Yekaterinburg") -> None:
    await touch_user(
        session,
        Contact(id=user_id, first_name="Иван"),
        now=NOW,
        default_timezone=tz,
        default_region="74",
    )


async def add_procedure(
    session: AsyncSession,
    number: str,
    *,
    title: str = "Поставка офисной бумаги",
    applications_end: datetime | None = NOW + timedelta(days=5),
    auction_at: datetime | None = None,
    summarizing_at: datetime | None = None,
    auction_on: date | None = None,
    summarizing_on: date | None = None,
    status: str | None = None,
    updated_at: datetime = NOW,
    region: str = "74",
) -> Procedure:
    p = Procedure(
        number=number,
        law="44",
        doc_type="epNotificationEA20",
        method="Электронный аукцион",
        title=title,
        customer_name="МБОУ «Школа № 1»",
        customer_inn="7451000000",
        region=region,
        max_price=Decimal("150000.00"),
        currency="RUB",
        applications_end=applications_end,
        auction_at=auction_at,
        auction_on=auction_on,
        summarizing_at=summarizing_at,
        summarizing_on=summarizing_on,
        smp_only=True,
        preferences="",
        okpd2="17.12.14",
        status=status,
        version=1,
        source_hash=f"h-{number}-{updated_at.isoformat()}",
        search_text=search_text(title, "МБОУ «Школа № 1»"),
        updated_at=updated_at,
    )
    session.add(p)
    await session.commit()
    return p


async def insert_due_subscribers(
    conn: AsyncConnection,
    ids: Iterable[int],
    now: datetime,
    event_at: datetime,
    target: Callable[[int], tuple[str, str]],
) -> None:
    """Bulk rows for outbox runs: a user, a subscription to `target(uid)` (number, title) and
    one reminder due a minute ago for every id (the reminders benchmark, the topology test)."""
    ids = list(ids)
    await conn.execute(
        insert(User),
        [
            {
                "id": uid,
                "first_name": "Иван",
                "timezone": "Asia/Yekaterinburg",
                "region": "74",
                "created_at": now,
                "last_seen_at": now,
                "is_active": True,
                "news": False,
            }
            for uid in ids
        ],
    )
    await conn.execute(
        insert(Subscription),
        [
            {
                "id": uid,
                "user_id": uid,
                "kind": "procedure",
                "target": target(uid)[0],
                "filters": "",
                "title": target(uid)[1],
                "active": True,
                "created_at": now,
                "seen_at": now,
                "seen_status": "",
                "seen_doc": 0,
                "last_seen_id": 0,
            }
            for uid in ids
        ],
    )
    await conn.execute(
        insert(Reminder),
        [
            {
                "user_id": uid,
                "subscription_id": uid,
                "key": f"s{uid}:applications_end:1440",
                "kind": "deadline",
                "event": "applications_end",
                "event_no": 0,
                "event_at": event_at,
                "date_only": False,
                "lead_minutes": 1440,
                "due_at": now - timedelta(minutes=1),
                "status": "pending",
                "attempts": 0,
                "payload": "",
                "outcome": "",
            }
            for uid in ids
        ],
    )
