"""Reading consultations: one by id, thread or post; their messages; the queue; overdue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.services.consultations.about import About
from bot.services.consultations.views import (
    OPEN_STATUSES,
    STAFF_POSTS,
    WAITING_STATUSES,
    ConsultationView,
    MessageView,
    PostRef,
    QueuePage,
    Status,
)
from bot.services.errors import NotFound
from models import Consultation, ConsultationMessage, ConsultationPost, User

_Consultant = aliased(User)


def _select() -> Select[tuple[Consultation, User, User]]:
    return (
        select(Consultation, User, _Consultant)
        .join(User, User.id == Consultation.user_id)
        .outerjoin(_Consultant, _Consultant.id == Consultation.consultant_id)
        .execution_options(populate_existing=True)
    )


def _view(c: Consultation, user: User, consultant: User | None) -> ConsultationView:
    return ConsultationView(
        id=c.id,
        user_id=c.user_id,
        user_name=user.first_name or str(user.id),
        username=user.username,
        status=Status(c.status),
        question=c.question,
        file_id=c.file_id,
        file_kind=c.file_kind,
        chat_id=c.chat_id,
        thread_id=c.thread_id,
        message_id=c.message_id,
        consultant_id=c.consultant_id,
        consultant_name=consultant.first_name if consultant is not None else None,
        created_at=c.created_at,
        waiting_since=c.waiting_since,
        answered_at=c.answered_at,
        closed_at=c.closed_at,
        closed_by=c.closed_by,
        rating=c.rating,
        last_announced_at=c.last_announced_at,
        erased_at=c.erased_at,
        about=About.load(c.about),
    )


async def _one(
    session: AsyncSession, stmt: Select[tuple[Consultation, User, User]]
) -> ConsultationView | None:
    row = (await session.execute(stmt)).first()
    return None if row is None else _view(row[0], row[1], row[2])


async def get_consultation(session: AsyncSession, consultation_id: int) -> ConsultationView:
    view = await _one(session, _select().where(Consultation.id == consultation_id))
    if view is None:
        raise NotFound(f"Вопрос №{consultation_id} не найден.")
    return view


async def find_by_thread(
    session: AsyncSession, chat_id: int, thread_id: int
) -> ConsultationView | None:
    """The consultation whose forum topic is `thread_id` in the consultants' chat."""
    stmt = _select().where(Consultation.chat_id == chat_id, Consultation.thread_id == thread_id)
    return await _one(session, stmt.order_by(Consultation.id.desc()).limit(1))


async def find_by_post(
    session: AsyncSession, chat_id: int, message_id: int, kinds: Sequence[str] = STAFF_POSTS
) -> ConsultationView | None:
    """The consultation a bot message belongs to: to consultants (card or note) by default,
    or to the asker (`answer`: every part of «Ответ консультанта»)."""
    stmt = _select().join(ConsultationPost, ConsultationPost.consultation_id == Consultation.id)
    stmt = stmt.where(
        ConsultationPost.chat_id == chat_id,
        ConsultationPost.message_id == message_id,
        ConsultationPost.kind.in_(kinds),
    )
    return await _one(session, stmt)


async def posts_of(
    session: AsyncSession, consultation_id: int, kind: str | None = None
) -> list[PostRef]:
    stmt = select(ConsultationPost).where(ConsultationPost.consultation_id == consultation_id)
    if kind is not None:
        stmt = stmt.where(ConsultationPost.kind == kind)
    rows = (await session.execute(stmt.order_by(ConsultationPost.id))).scalars()
    return [PostRef(r.chat_id, r.message_id, r.kind) for r in rows]


async def messages_of(session: AsyncSession, consultation_id: int) -> list[MessageView]:
    rows = (
        await session.execute(
            select(ConsultationMessage)
            .where(ConsultationMessage.consultation_id == consultation_id)
            .order_by(ConsultationMessage.id)
        )
    ).scalars()
    return [
        MessageView(r.direction, r.author_id, r.text, r.file_id, r.file_kind, r.created_at)
        for r in rows
    ]


async def queue(session: AsyncSession, page: int = 0, page_size: int = 8) -> QueuePage:
    """Open consultations, oldest first."""
    where = Consultation.status.in_(OPEN_STATUSES)
    total = (
        await session.execute(select(func.count()).select_from(Consultation).where(where))
    ).scalar_one()
    pages = max(1, -(-total // page_size))
    page = min(max(page, 0), pages - 1)
    rows = (
        await session.execute(
            _select()
            .where(where)
            .order_by(Consultation.created_at, Consultation.id)
            .offset(page * page_size)
            .limit(page_size)
        )
    ).all()
    items = tuple(_view(r[0], r[1], r[2]) for r in rows)
    return QueuePage(items, total, page, pages, page_size)


async def overdue(session: AsyncSession, now: datetime, sla_hours: float) -> list[ConsultationView]:
    """Consultations waiting for an answer longer than the SLA, or never shown to anyone (asked
    while no consultant was reachable: queued, announced as soon as one is), and not announced
    within the last SLA period, oldest first."""
    limit = now - timedelta(hours=sla_hours)
    never_shown = ~(
        select(ConsultationPost.id)
        .where(ConsultationPost.consultation_id == Consultation.id)
        .exists()
    )
    rows = (
        await session.execute(
            _select()
            .where(
                Consultation.status.in_(WAITING_STATUSES),
                or_(Consultation.waiting_since <= limit, never_shown),
                or_(
                    Consultation.last_announced_at.is_(None),
                    Consultation.last_announced_at <= limit,
                ),
            )
            .order_by(Consultation.waiting_since, Consultation.id)
        )
    ).all()
    return [_view(r[0], r[1], r[2]) for r in rows]
