"""Retention of personal data: the daily job, proven through the scheduler `smebot run`
builds, blanks old question texts and deletes consultations closed long ago."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_scheduler
from bot.config import Settings
from bot.services.privacy import apply_retention
from models import Consultation, ConsultationMessage, QuestionLog
from tests.factories import add_user
from tests.support.waiting import WAIT, until

USER = 4242


async def _seed(session: AsyncSession, now: datetime) -> None:
    await add_user(session, USER)
    for days, text in ((400, "старый вопрос"), (10, "свежий вопрос")):
        session.add(
            QuestionLog(
                user_id=USER, source="chat", question=text, outcome="answer",
                created_at=now - timedelta(days=days),
            )
        )  # fmt: skip
    for days, status in ((400, "closed"), (10, "closed"), (400, "in_work")):
        at = now - timedelta(days=days)
        row = Consultation(
            user_id=USER, status=status, question=f"{status} {days}", created_at=at,
            waiting_since=at, closed_at=at if status == "closed" else None,
        )  # fmt: skip
        session.add(row)
        await session.flush()
        session.add(
            ConsultationMessage(
                consultation_id=row.id, direction="user", text="текст", created_at=at
            )
        )
    await session.commit()


async def _state(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[object, ...]:
    async with sessionmaker() as s:
        texts = (await s.execute(select(QuestionLog.question).order_by(QuestionLog.id))).all()
        kept = (await s.execute(select(Consultation.question).order_by(Consultation.id))).all()
        messages = (await s.execute(select(ConsultationMessage.id))).all()
        return tuple(r[0] for r in texts), tuple(r[0] for r in kept), len(messages)


AFTER = (("", "свежий вопрос"), ("closed 10", "in_work 400"), 2)


async def test_the_retention_job_runs_through_the_scheduler(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
) -> None:
    await _seed(session, datetime.now(UTC))
    scheduler = build_scheduler(settings, sessionmaker)
    assert scheduler.get_job("retention") is not None
    scheduler.start()
    try:

        async def done() -> bool:
            return await _state(sessionmaker) == AFTER

        await until(done, "the retention job")
    finally:
        await scheduler.stop(grace=WAIT)


async def test_retention_days_come_from_the_settings(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    now = datetime.now(UTC)
    await _seed(session, now)
    assert (settings.question_retention_days, settings.consultation_retention_days) == (365, 365)
    async with sessionmaker() as s:
        kept = await apply_retention(s, now, question_days=500, consultation_days=500)
    assert (kept.question_texts, kept.consultations) == (0, 0)
    async with sessionmaker() as s:
        done = await apply_retention(s, now, question_days=5, consultation_days=5)
    assert (done.question_texts, done.consultations) == (2, 2)
    assert await _state(sessionmaker) == (("", ""), ("in_work 400",), 1)
