"""/forget end to end: the confirmation, what is erased, what stays (anonymous counts), what
consultants see afterwards, and the «Удалить мои данные» button in /settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import reminder_defaults
from bot.config import Settings
from bot.services.reminders.subscriptions import subscribe
from models import (
    Consultation,
    ConsultationMessage,
    ConsultationPost,
    QuestionLog,
    Reminder,
    Subscription,
    User,
)
from tests.factories import add_procedure
from tests.support.bot import FixedClock
from tests.support.consult import (
    CONS,
    FORUM,
    FORUM_CHAT,
    QUESTION,
    USER,
    DeskAPI,
    DeskBot,
    ask,
    eventually,
    rows,
)

NUMBER = "0169300000126000901"


async def _count(sessionmaker: async_sessionmaker[AsyncSession], model: Any, *where: Any) -> int:
    async with sessionmaker() as s:
        stmt = select(func.count()).select_from(model).where(*where)
        return int((await s.execute(stmt)).scalar_one())


async def test_forget_erases_personal_data_and_keeps_anonymous_counts(
    desk: DeskAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    desk_bot: DeskBot,
) -> None:
    desk.chats[FORUM] = FORUM_CHAT
    bot = await desk_bot(consultant_chat_id=FORUM)
    # a question to the knowledge base, a consultation with a dialogue, a subscription
    mark = desk.mark()
    desk.user_says(USER, "какое обеспечение заявки для СМП?")
    await desk.next_message(USER, after=mark)
    mark = desk.mark()
    await ask(desk)
    card = await desk.next_message(FORUM, after=mark)
    thread = card.params["message_thread_id"]
    mark = desk.mark()
    desk.in_topic(CONS, thread, "Подайте жалобу в ФАС.")
    await desk.next_message(USER, after=mark)
    async with sessionmaker() as s:
        await add_procedure(s, NUMBER, applications_end=clock() + timedelta(days=5))
        await subscribe(s, USER, "procedure", NUMBER, reminder_defaults(settings), clock())
    assert await _count(sessionmaker, Reminder, Reminder.user_id == USER) > 0
    questions = await _count(sessionmaker, QuestionLog)
    assert await _count(sessionmaker, QuestionLog, QuestionLog.user_id == USER) >= 1

    # /forget asks first; nothing is deleted before the confirmation
    mark = desk.mark()
    desk.user_says(USER, "/forget")
    confirm = await desk.next_message(USER, after=mark)
    assert "Удалить ваши данные?" in confirm.text
    assert await _count(sessionmaker, Subscription, Subscription.user_id == USER) == 1

    mark = desk.mark()
    await desk.answer_of(desk.press(USER, confirm, "Да, удалить"))
    done = await desk.wait_for(
        lambda: [s for s in desk.sent[mark:] if s.chat_id == USER and "удалены" in s.text]
    )
    assert "1 подписка" in done[0].text

    async with sessionmaker() as s:
        user = await s.get(User, USER)
        assert user is not None
        assert (user.first_name, user.last_name, user.username) == ("", None, None)
        logged = (await s.execute(select(QuestionLog))).scalars().all()
        assert len(logged) == questions  # the anonymous counts stay …
        assert all(q.user_id is None and q.question == "" for q in logged)  # … unnamed
    (row,) = await rows(sessionmaker)
    assert (row.status, row.question, row.file_id) == ("closed", "", None)
    assert row.erased_at is not None and row.closed_at is not None
    assert QUESTION not in str(row.__dict__)
    assert await _count(sessionmaker, ConsultationMessage) == 0
    assert await _count(sessionmaker, ConsultationPost, ConsultationPost.chat_id == USER) == 0
    assert await _count(sessionmaker, Subscription, Subscription.user_id == USER) == 0
    assert await _count(sessionmaker, Reminder, Reminder.user_id == USER) == 0

    # the consultants' card says so, and writing in the topic reaches nobody
    edits = [s for s in desk.sent[mark:] if s.method == "editMessageText" and s.chat_id == FORUM]
    assert edits and "пользователь удалил данные" in edits[-1].text
    assert QUESTION[:20] not in edits[-1].text
    mark = desk.mark()
    desk.in_topic(CONS, thread, "Вы здесь?")
    refusal = await desk.next_message(FORUM, after=mark)
    assert "пользователь удалил данные" in refusal.text
    assert not [s for s in desk.sent[mark:] if s.chat_id == USER]
    assert await _count(sessionmaker, Consultation) == 1

    # a second /forget finds nothing left and does not tell the consultants again
    mark = desk.mark()
    desk.user_says(USER, "/forget")
    confirm = await desk.next_message(USER, after=mark)
    await desk.answer_of(desk.press(USER, confirm, "Да, удалить"))
    again = await desk.wait_for(
        lambda: [s for s in desk.sent[mark:] if s.chat_id == USER and "удалены" in s.text]
    )
    await bot.idle()
    assert "0 консультаций" in again[-1].text, again[-1].text
    assert not [s for s in desk.sent[mark:] if s.chat_id == FORUM]


async def test_settings_button_asks_and_cancel_keeps_everything(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    desk_bot: DeskBot,
) -> None:
    await desk_bot()
    mark = desk.mark()
    desk.user_says(USER, "/help")
    help_text = await desk.next_message(USER, after=mark)
    assert "/forget" in help_text.text
    mark = desk.mark()
    desk.user_says(USER, "/settings")
    shown = await desk.next_message(USER, after=mark)
    mark = desk.mark()
    await desk.answer_of(desk.press(USER, shown, "Удалить мои данные"))
    confirm = await desk.next_message(USER, after=mark)
    assert "Удалить ваши данные?" in confirm.text
    mark = desk.mark()
    await desk.answer_of(desk.press(USER, confirm, "Отмена"))
    await eventually(lambda: _any_text(desk, mark, "остаются на месте"), True)
    async with sessionmaker() as s:
        user = await s.get(User, USER)
        assert user is not None and user.first_name != ""


async def _any_text(api: DeskAPI, mark: int, part: str) -> bool:
    return any(part in (s.text or "") for s in api.sent[mark:])
