"""Small builders of rows for service tests (real schema, no importer round trip)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.importer import search_text
from bot.services.users import Contact, touch_user
from models import Procedure

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
        summarizing_at=summarizing_at,
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
