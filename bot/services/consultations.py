"""Consultations with a live consultant: the use cases behind /consult, answers, follow-ups,
/close with a rating, /queue and the SLA re-announcements. No aiogram, no HTML.

Statuses: new → in_work (taken, or a follow-up arrived) → answered → … → closed.
`waiting_since` is when the user began waiting for the current answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.services.errors import BadInput, Erased, NotFound, Refused
from models import Consultation, ConsultationMessage, ConsultationPost, User

Status = Literal["new", "in_work", "answered", "closed"]
FileKind = Literal["document", "photo", "voice", "video", "audio", "video_note"]
OPEN_STATUSES: tuple[str, ...] = ("new", "in_work", "answered")
WAITING_STATUSES: tuple[str, ...] = ("new", "in_work")
MAX_OPEN_PER_USER = 5
MAX_TEXT = 4096
MAX_FILE_ID = 256


@dataclass(frozen=True, slots=True)
class Attachment:
    file_id: str
    kind: FileKind


@dataclass(frozen=True, slots=True)
class ConsultationView:
    id: int
    user_id: int
    user_name: str
    username: str | None
    status: str
    question: str
    file_id: str | None
    file_kind: str | None
    chat_id: int | None
    thread_id: int | None
    message_id: int | None
    consultant_id: int | None
    consultant_name: str | None
    created_at: datetime
    waiting_since: datetime
    answered_at: datetime | None
    closed_at: datetime | None
    closed_by: int | None
    rating: int | None
    last_announced_at: datetime | None
    erased_at: datetime | None = None  # the user erased their data (/forget)

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_open(self) -> bool:
        return self.status != "closed"

    @property
    def venue(self) -> Literal["forum", "group", "private"]:
        """Where consultants see it: a forum topic, a group card, or their private chats."""
        if self.chat_id is None:
            return "private"
        return "forum" if self.thread_id is not None else "group"

    @property
    def attachment(self) -> Attachment | None:
        if self.file_id and self.file_kind in get_args(FileKind):
            return Attachment(self.file_id, self.file_kind)  # type: ignore[arg-type]
        return None


@dataclass(frozen=True, slots=True)
class Change:
    """The consultation after an action; `changed` is False when it was already so;
    `previous` is the status before."""

    view: ConsultationView
    changed: bool
    previous: str


STAFF_POSTS = ("card", "note")


@dataclass(frozen=True, slots=True)
class PostRef:
    """A bot message about a consultation: to consultants, or a part of the answer."""

    chat_id: int
    message_id: int
    kind: str  # card | note (to consultants) | answer (to the asker)
    venue: bool = False  # the card where the consultation lives (forum topic / group)
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class MessageView:
    direction: str
    author_id: int | None
    text: str
    file_id: str | None
    file_kind: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: tuple[ConsultationView, ...]
    total: int
    page: int
    pages: int
    page_size: int

    @property
    def offset(self) -> int:
        return self.page * self.page_size


# ----------------------------------------------------------------- reading
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
        status=c.status,
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


# ----------------------------------------------------------------- writing
def _clean(text: str | None, attachment: Attachment | None) -> str:
    text = (text or "").strip()
    if not text and attachment is None:
        raise BadInput("Пришлите текст вопроса или документ либо фото с подписью.")
    if len(text) > MAX_TEXT:
        raise BadInput(f"Слишком длинное сообщение: до {MAX_TEXT} символов.")
    if attachment is not None and not 0 < len(attachment.file_id) <= MAX_FILE_ID:
        raise BadInput("Не получилось принять файл; пришлите его ещё раз.")
    return text


async def _row(session: AsyncSession, consultation_id: int) -> Consultation:
    row = await session.get(Consultation, consultation_id, populate_existing=True)
    if row is None:
        raise NotFound(f"Вопрос №{consultation_id} не найден.")
    if row.erased_at is not None:  # consultants can neither answer nor take it any more
        raise Erased(str(row.id))
    return row


async def _owned(session: AsyncSession, consultation_id: int, user_id: int) -> Consultation:
    row = await session.get(Consultation, consultation_id, populate_existing=True)
    if row is None or row.user_id != user_id:  # a forged button names someone else's
        raise NotFound(f"Вопрос №{consultation_id} не найден.")
    return row


async def open_consultation(
    session: AsyncSession,
    user_id: int,
    text: str | None,
    now: datetime,
    attachment: Attachment | None = None,
) -> ConsultationView:
    question = _clean(text, attachment)
    open_count = (
        await session.execute(
            select(func.count())
            .select_from(Consultation)
            .where(Consultation.user_id == user_id, Consultation.status.in_(OPEN_STATUSES))
        )
    ).scalar_one()
    if open_count >= MAX_OPEN_PER_USER:
        raise Refused(
            f"У вас уже {open_count} открытых вопросов. Дождитесь ответа или закройте "
            "решённые кнопкой «Закрыть вопрос» под ответом консультанта."
        )
    row = Consultation(
        user_id=user_id,
        status="new",
        question=question,
        file_id=attachment.file_id if attachment else None,
        file_kind=attachment.kind if attachment else None,
        created_at=now,
        waiting_since=now,
    )
    session.add(row)
    await session.commit()
    return await get_consultation(session, row.id)


async def take(
    session: AsyncSession, consultation_id: int, consultant_id: int, now: datetime
) -> Change:
    """A consultant takes the question: new → in_work. Taking it over from a colleague is
    allowed (they may be away); a closed one is refused."""
    row = await _row(session, consultation_id)
    if row.status == "closed":
        raise Refused(f"Вопрос №{row.id} уже закрыт.")
    previous = row.status
    changed = row.consultant_id != consultant_id or row.status == "new"
    row.consultant_id = consultant_id
    if row.status == "new":
        row.status = "in_work"
    await session.commit()
    return Change(await get_consultation(session, row.id), changed, previous)


def _add_message(
    session: AsyncSession,
    consultation_id: int,
    direction: str,
    author_id: int,
    body: str,
    attachment: Attachment | None,
    now: datetime,
) -> None:
    session.add(
        ConsultationMessage(
            consultation_id=consultation_id,
            direction=direction,
            author_id=author_id,
            text=body,
            file_id=attachment.file_id if attachment else None,
            file_kind=attachment.kind if attachment else None,
            created_at=now,
        )
    )


async def add_answer(
    session: AsyncSession,
    consultation_id: int,
    consultant_id: int,
    text: str | None,
    now: datetime,
    attachment: Attachment | None = None,
) -> Change:
    """A consultant's message for the user: status → answered."""
    body = _clean(text, attachment)
    row = await _row(session, consultation_id)
    if row.status == "closed":
        raise Refused(f"Вопрос №{row.id} уже закрыт — сообщение пользователю не отправлено.")
    previous = row.status
    row.status = "answered"
    row.answered_at = now
    if row.consultant_id is None:
        row.consultant_id = consultant_id
    _add_message(session, row.id, "consultant", consultant_id, body, attachment, now)
    await session.commit()
    return Change(await get_consultation(session, row.id), True, previous)


async def add_follow_up(
    session: AsyncSession,
    consultation_id: int,
    user_id: int,
    text: str | None,
    now: datetime,
    attachment: Attachment | None = None,
) -> Change:
    """The user's follow-up: waiting again (in_work if someone took it, else new)."""
    body = _clean(text, attachment)
    row = await _owned(session, consultation_id, user_id)
    if row.status == "closed":
        raise Refused(f"Вопрос №{row.id} закрыт. Новый вопрос можно задать командой /consult.")
    previous = row.status
    row.status = "in_work" if row.consultant_id is not None else "new"
    row.waiting_since = now
    _add_message(session, row.id, "user", user_id, body, attachment, now)
    await session.commit()
    return Change(await get_consultation(session, row.id), True, previous)


async def check_open(session: AsyncSession, consultation_id: int, user_id: int) -> ConsultationView:
    """The user's own open consultation (for «Уточнить»); forged or closed ones raise."""
    row = await _owned(session, consultation_id, user_id)
    if row.status == "closed":
        raise Refused(f"Вопрос №{row.id} закрыт. Новый вопрос можно задать командой /consult.")
    return await get_consultation(session, row.id)


async def close(
    session: AsyncSession,
    consultation_id: int,
    by: int,
    now: datetime,
    *,
    as_owner: bool = False,
) -> Change:
    """Close by a consultant, or by the user (`as_owner`: it must be theirs)."""
    row = await (
        _owned(session, consultation_id, by) if as_owner else _row(session, consultation_id)
    )
    previous = row.status
    if row.status == "closed":
        return Change(await get_consultation(session, row.id), False, previous)
    row.status = "closed"
    row.closed_at = now
    row.closed_by = by
    await session.commit()
    return Change(await get_consultation(session, row.id), True, previous)


async def rate(session: AsyncSession, consultation_id: int, user_id: int, rating: int) -> Change:
    """The user's 1–5 rating of a closed consultation; the first one counts."""
    if not 1 <= rating <= 5:
        raise BadInput("Оценка — от 1 до 5.")
    row = await _owned(session, consultation_id, user_id)
    if row.status != "closed":
        raise Refused(f"Вопрос №{row.id} ещё открыт; оценить его можно после закрытия.")
    if row.rating is not None:
        return Change(await get_consultation(session, row.id), False, row.status)
    row.rating = rating
    await session.commit()
    return Change(await get_consultation(session, row.id), True, row.status)


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
    lives from now on (the forum topic, or the card in a group)."""
    for post in posts:
        session.add(
            ConsultationPost(
                consultation_id=consultation_id,
                chat_id=post.chat_id,
                message_id=post.message_id,
                kind=post.kind,
            )
        )
        if post.venue:
            await session.execute(
                update(Consultation)
                .where(Consultation.id == consultation_id)
                .values(chat_id=post.chat_id, thread_id=post.thread_id, message_id=post.message_id)
            )
    if posts:
        await session.commit()
