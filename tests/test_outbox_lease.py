"""Issue 19: a sender that held its claim past the lease (a long 429 wait) finds its rows
released and sent by another process, and sends none of them again: zero doubles."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_bot, build_reminders
from bot.config import Settings
from bot.services.reminders.digests import queue_news
from bot.services.reminders.outbox import LEASE
from models import User
from tests.factories import NOW, add_user
from tests.fakebotapi import FakeBotAPI
from tests.support.bot import FixedClock

CHATS = list(range(9001, 9021))


async def test_an_expired_lease_and_two_senders_send_nothing_twice(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
) -> None:
    for chat in CHATS:
        fake_api.add_private_chat(chat)
        await add_user(session, chat)
    await session.execute(update(User).values(news=True))
    await session.commit()
    assert await queue_news(session, "about-data-and-forget", "Новость", 1, NOW) == len(CHATS)

    settings = settings.model_copy(
        update={"bot_api_url": fake_api.url, "send_rate": 5.0, "quiet_hours": ""}
    )
    bot_a = build_bot(settings, fake_api.token)
    bot_b = build_bot(settings, fake_api.token)
    slow = build_reminders(settings, sessionmaker, bot_a, FixedClock(NOW))
    # the other process runs when the first one's claim is past the lease
    other = build_reminders(
        settings, sessionmaker, bot_b, FixedClock(NOW + LEASE + timedelta(minutes=1))
    )
    fake_api.fail_next("sendMessage", 429, retry_after=3)  # the first sender waits 3 s
    try:
        first = asyncio.create_task(slow.run_once())
        await fake_api.wait_for(lambda: "sendMessage" in fake_api.calls, timeout=30)
        await asyncio.wait_for(other.run_once(), timeout=60)
        await asyncio.wait_for(first, timeout=60)
    finally:
        await slow.stop()
        await other.stop()
        await bot_a.session.close()
        await bot_b.session.close()
    delivered = Counter(s.chat_id for s in fake_api.sent if s.method == "sendMessage")
    assert set(delivered) == set(CHATS)
    assert [chat for chat, n in delivered.items() if n > 1] == []


async def test_two_reconciles_at_once_queue_one_update(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three reconciles overlap (each one is slowed down after it read what changed): one
    «срок перенесён» is queued, not three."""
    from sqlalchemy import func, select

    from bot.services.reminders import planner, targets
    from bot.services.reminders.planner import reconcile
    from bot.services.reminders.prefs import Defaults
    from bot.services.reminders.subscriptions import subscribe
    from models import Procedure, Reminder
    from tests.factories import add_procedure

    number = "0169300000126000555"
    defaults = Defaults("3d,1d,3h", "", "Asia/Yekaterinburg")
    await add_user(session, 9101)
    await add_procedure(session, number, applications_end=NOW + timedelta(days=5))
    await subscribe(session, 9101, "procedure", number, defaults, NOW)
    later = NOW + timedelta(hours=1)
    await session.execute(
        update(Procedure)
        .where(Procedure.number == number)
        .values(applications_end=NOW + timedelta(days=8), updated_at=later)
    )
    await session.commit()

    target = targets.target_of

    async def slow_target(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.3)  # the others read the same changes meanwhile
        return await target(*args, **kwargs)

    monkeypatch.setattr(planner, "target_of", slow_target)

    async def one() -> int:
        async with sessionmaker() as s:
            return await reconcile(s, defaults, later)

    results = await asyncio.wait_for(asyncio.gather(one(), one(), one()), timeout=60)
    assert sorted(results)[-1] == 1
    updates = select(func.count()).select_from(Reminder).where(Reminder.kind == "update")
    await session.rollback()
    assert (await session.execute(updates)).scalar_one() == 1
