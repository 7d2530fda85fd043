"""Personal data: /forget erases a user's data at once; a retention job removes old question
texts and closed consultations. What stays are anonymous counts (question outcomes and
feedback, consultation statuses and ratings) that the statistics need.

What /forget erases, in one transaction:
- the user row's names, username, language and settings (the Telegram id stays, with
  nothing attached to it, so a returning user starts from a clean slate);
- the texts of their questions (`question_log` rows lose their text and their user);
- their consultations' question texts, what they were about (a card, the bot's answer),
  attached file ids, every message of the dialogue
  and the links to the answers in their chat; the rows are closed and marked erased, so
  consultants see that the user erased their data and cannot write to them any more;
- their subscriptions and every reminder not yet sent (and the outbox history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Consultation,
    ConsultationMessage,
    ConsultationPost,
    ConsultationStatus,
    QuestionLog,
    Reminder,
    Subscription,
    User,
)


@dataclass(frozen=True, slots=True)
class Forgotten:
    questions: int
    consultations: tuple[int, ...]  # ids of the erased consultations (their cards change)
    subscriptions: int
    reminders: int


@dataclass(frozen=True, slots=True)
class Retention:
    question_texts: int
    consultations: int


async def forget_user(
    session: AsyncSession, user_id: int, now: datetime, *, timezone: str, region: str
) -> Forgotten:
    """Erase everything personal about `user_id` (see the module docstring)."""
    questions = await session.execute(
        update(QuestionLog)
        .where(QuestionLog.user_id == user_id)
        .values(question="", user_id=None)
        .execution_options(synchronize_session=False)
    )
    consultation_ids = tuple(
        (
            await session.execute(
                select(Consultation.id)
                .where(Consultation.user_id == user_id, Consultation.erased_at.is_(None))
                .order_by(Consultation.id)  # not those a previous /forget erased
            )
        ).scalars()
    )
    if consultation_ids:
        await session.execute(
            delete(ConsultationMessage).where(
                ConsultationMessage.consultation_id.in_(consultation_ids)
            )
        )
        await session.execute(  # the answers in the user's own chat (cards stay: staff's)
            delete(ConsultationPost).where(
                ConsultationPost.consultation_id.in_(consultation_ids),
                ConsultationPost.kind == "answer",
            )
        )
        await session.execute(
            update(Consultation)
            .where(Consultation.id.in_(consultation_ids), Consultation.closed_at.is_(None))
            .values(closed_at=now, closed_by=user_id)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(Consultation)
            .where(Consultation.id.in_(consultation_ids))
            .values(
                status=ConsultationStatus.CLOSED,
                question="",
                about=None,
                file_id=None,
                file_kind=None,
                erased_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    reminders = await session.execute(
        delete(Reminder)
        .where(Reminder.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    subscriptions = await session.execute(
        delete(Subscription)
        .where(Subscription.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            first_name="",
            last_name=None,
            username=None,
            language=None,
            timezone=timezone,
            region=region,
            lead_times=None,
            quiet_hours=None,
            news=False,
            last_seen_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return Forgotten(
        questions=questions.rowcount or 0,  # type: ignore[attr-defined]
        consultations=consultation_ids,
        subscriptions=subscriptions.rowcount or 0,  # type: ignore[attr-defined]
        reminders=reminders.rowcount or 0,  # type: ignore[attr-defined]
    )


async def apply_retention(
    session: AsyncSession, now: datetime, *, question_days: int, consultation_days: int
) -> Retention:
    """Blank question texts older than `question_days` (the row, its outcome and feedback
    stay for the statistics) and delete consultations closed more than `consultation_days`
    ago, with their messages and posts."""
    texts = await session.execute(
        update(QuestionLog)
        .where(
            QuestionLog.created_at < now - timedelta(days=question_days), QuestionLog.question != ""
        )
        .values(question="")
        .execution_options(synchronize_session=False)
    )
    consultations = await session.execute(
        delete(Consultation)
        .where(
            Consultation.status == ConsultationStatus.CLOSED,
            Consultation.closed_at < now - timedelta(days=consultation_days),
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return Retention(
        question_texts=texts.rowcount or 0,  # type: ignore[attr-defined]
        consultations=consultations.rowcount or 0,  # type: ignore[attr-defined]
    )
