"""Changing consultations: open, take, answer, follow up, close, rate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.consultations.about import About
from bot.services.consultations.reading import get_consultation
from bot.services.consultations.views import (
    MAX_FILE_ID,
    MAX_OPEN_PER_USER,
    MAX_QUESTION_TEXT,
    MAX_TEXT,
    OPEN_STATUSES,
    Attachment,
    Change,
    ConsultationView,
    Status,
)
from bot.services.errors import BadInput, Erased, NotFound, Refused
from models import Consultation, ConsultationMessage


def _clean(text: str | None, attachment: Attachment | None, limit: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    if not text and attachment is None:
        raise BadInput("Пришлите текст вопроса или документ либо фото с подписью.")
    if len(text) > limit:
        raise BadInput(f"Слишком длинное сообщение: до {limit} символов.")
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
    about: About | None = None,
) -> ConsultationView:
    question = _clean(text, attachment, MAX_QUESTION_TEXT)
    open_count = (
        await session.execute(
            select(func.count())
            .select_from(Consultation)
            .where(Consultation.user_id == user_id, Consultation.status.in_(OPEN_STATUSES))
        )
    ).scalar_one()
    if open_count >= MAX_OPEN_PER_USER:
        raise Refused(
            f"У вас уже {open_count} открытых вопросов — больше {MAX_OPEN_PER_USER} сразу "
            "задать нельзя. Дождитесь ответа или закройте ненужные: под ответом консультанта — "
            "кнопка «Закрыть вопрос», под вопросом, на который ещё не ответили, — «Отозвать "
            "вопрос»."
        )
    row = Consultation(
        user_id=user_id,
        status=Status.NEW,
        question=question,
        file_id=attachment.file_id if attachment else None,
        file_kind=attachment.kind if attachment else None,
        about=about.dump() if about is not None else None,
        created_at=now,
        waiting_since=now,
    )
    session.add(row)
    await session.commit()
    return await get_consultation(session, row.id)


async def take(
    session: AsyncSession, consultation_id: int, consultant_id: int, _now: datetime
) -> Change:
    """A consultant takes the question: new → in_work. Taking it over from a colleague is
    allowed (they may be away); a closed one is refused."""
    row = await _row(session, consultation_id)
    if row.status == Status.CLOSED:
        raise Refused(f"Вопрос №{row.id} уже закрыт.")
    previous = Status(row.status)
    changed = row.consultant_id != consultant_id or row.status == Status.NEW
    row.consultant_id = consultant_id
    if row.status == Status.NEW:
        row.status = Status.IN_WORK
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
    if row.status == Status.CLOSED:
        raise Refused(f"Вопрос №{row.id} уже закрыт — сообщение пользователю не отправлено.")
    previous = Status(row.status)
    row.status = Status.ANSWERED
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
    if row.status == Status.CLOSED:
        raise Refused(f"Вопрос №{row.id} закрыт. Новый вопрос можно задать командой /consult.")
    previous = Status(row.status)
    row.status = Status.IN_WORK if row.consultant_id is not None else Status.NEW
    row.waiting_since = now
    _add_message(session, row.id, "user", user_id, body, attachment, now)
    await session.commit()
    return Change(await get_consultation(session, row.id), True, previous)


async def check_open(session: AsyncSession, consultation_id: int, user_id: int) -> ConsultationView:
    """The user's own open consultation (for «Уточнить»); forged or closed ones raise."""
    row = await _owned(session, consultation_id, user_id)
    if row.status == Status.CLOSED:
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
    previous = Status(row.status)
    if row.status == Status.CLOSED:
        return Change(await get_consultation(session, row.id), False, previous)
    row.status = Status.CLOSED
    row.closed_at = now
    row.closed_by = by
    await session.commit()
    return Change(await get_consultation(session, row.id), True, previous)


async def rate(session: AsyncSession, consultation_id: int, user_id: int, rating: int) -> Change:
    """The user's 1–5 rating of a closed consultation; the first one counts."""
    if not 1 <= rating <= 5:
        raise BadInput("Оценка — от 1 до 5.")
    row = await _owned(session, consultation_id, user_id)
    if row.status != Status.CLOSED:
        raise Refused(f"Вопрос №{row.id} ещё открыт; оценить его можно после закрытия.")
    if row.rating is not None:
        return Change(await get_consultation(session, row.id), False, Status.CLOSED)
    row.rating = rating
    await session.commit()
    return Change(await get_consultation(session, row.id), True, Status.CLOSED)
