"""SLA re-announcements claimed once per period, and the bot messages a consultation has."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.consultations.views import WAITING_STATUSES, PostRef
from models import Consultation, ConsultationPost

log = logging.getLogger("smebot.consult")


@dataclass(frozen=True, slots=True)
class Claim:
    claimed: bool
    previous: datetime | None  # last_announced_at before the claim, for a release


async def claim_announcement(
    session: AsyncSession, consultation_id: int, now: datetime, sla_hours: float
) -> Claim:
    """Mark an overdue consultation announced now, unless another run (or process) did it
    within the period: a conditional update, so it is announced once per period."""
    limit = now - timedelta(hours=sla_hours)
    previous = (
        await session.execute(
            select(Consultation.last_announced_at).where(Consultation.id == consultation_id)
        )
    ).scalar_one_or_none()
    result = await session.execute(
        update(Consultation)
        .where(
            Consultation.id == consultation_id,
            Consultation.status.in_(WAITING_STATUSES),
            or_(
                Consultation.last_announced_at.is_(None),
                Consultation.last_announced_at <= limit,
            ),
        )
        .values(last_announced_at=now)
    )
    await session.commit()
    return Claim(getattr(result, "rowcount", 0) == 1, previous)


async def release_announcement(
    session: AsyncSession, consultation_id: int, previous: datetime | None
) -> None:
    """The announcement could not be sent: let the next run try again."""
    await session.execute(
        update(Consultation)
        .where(Consultation.id == consultation_id)
        .values(last_announced_at=previous)
    )
    await session.commit()


async def record_posts(
    session: AsyncSession, consultation_id: int, posts: Sequence[PostRef]
) -> None:
    """Remember bot messages about a consultation; a `venue` post fixes where the consultation
    lives from now on (the forum topic, or the card in a group).

    Telegram never reuses a message id in a chat, so a (chat, message) recorded for another
    consultation means the ids restarted (a console session on an old database): the message
    the id now names is this one, so the record moves here; it is logged, never raised (the
    question has been accepted and posted by now)."""
    for post in posts:
        known = await session.scalar(
            select(ConsultationPost).where(
                ConsultationPost.chat_id == post.chat_id,
                ConsultationPost.message_id == post.message_id,
            )
        )
        if known is None:
            session.add(
                ConsultationPost(
                    consultation_id=consultation_id,
                    chat_id=post.chat_id,
                    message_id=post.message_id,
                    kind=post.kind,
                )
            )
        else:
            if known.consultation_id != consultation_id:
                log.warning(
                    "message %s/%s was recorded for consultation %s; now it is %s's",
                    post.chat_id,
                    post.message_id,
                    known.consultation_id,
                    consultation_id,
                )
            known.consultation_id, known.kind = consultation_id, post.kind
        if post.venue:
            await session.execute(
                update(Consultation)
                .where(Consultation.id == consultation_id)
                .values(chat_id=post.chat_id, thread_id=post.thread_id, message_id=post.message_id)
            )
    if posts:
        try:
            await session.commit()
        except IntegrityError as exc:  # recorded concurrently by another update: theirs stays
            await session.rollback()
            log.error("posts of consultation %s not recorded: %s", consultation_id, exc.orig)
