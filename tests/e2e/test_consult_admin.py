"""Consultations end to end, staff and administration: /queue and the staff commands only
for staff, and the SLA job re-announcing waiting questions once per period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_bot
from bot.config import Settings
from bot.jobs.consult import sla_job
from bot.services.consultations import open_consultation
from models import Consultation
from tests.factories import add_user
from tests.support.bot import FixedClock
from tests.support.consult import (
    ADMIN,
    CONS,
    FORUM,
    FORUM_CHAT,
    NEWBIE,
    USER,
    DeskAPI,
    DeskBot,
    ask,
    eventually,
    in_thread,
    run,
    venue_of,
)


# ----------------------------------------------------------------- staff
async def test_queue_and_staff_commands_only_for_staff(
    desk: DeskAPI,
    session: AsyncSession,
    clock: FixedClock,
    desk_bot: DeskBot,
) -> None:
    for i in range(11):
        await add_user(session, USER + 100 + i)
        await open_consultation(
            session, USER + 100 + i, f"вопрос {i}", clock.now - timedelta(hours=i)
        )
    await desk_bot()
    mark = desk.mark()
    desk.user_says(CONS, "/queue")
    listing = await desk.next_message(CONS, after=mark)
    assert "Открытые вопросы</b>: 11" in listing.text and "Страница 1 из 2" in listing.text
    assert listing.text.index("вопрос 10") < listing.text.index("вопрос 9")  # oldest first
    qid = desk.press(CONS, listing, "Дальше")
    await desk.answer_of(qid)
    await desk.wait_for(
        lambda: "Страница 2 из 2" in desk.messages[(CONS, listing.message_id)]["text"]
    )

    # an ordinary user: the ordinary unknown-command answer, nothing revealed
    for command in ("/queue", "/consultant_add 5", "/staff", "/close"):
        mark = desk.mark()
        desk.user_says(USER, command)
        reply = await desk.next_message(USER, after=mark)
        assert "я не знаю" in reply.text, (command, reply.text)
        assert "консульт" not in reply.text.lower()

    # /help: staff see their commands (admins also the staff management), users do not
    helps = {}
    for who in (USER, CONS, ADMIN):
        mark = desk.mark()
        desk.user_says(who, "/help")
        helps[who] = (await desk.next_message(who, after=mark)).text
    assert "/queue" not in helps[USER] and "/kb_edit" not in helps[USER]
    assert "/queue" in helps[CONS] and "/kb_edit" in helps[CONS]
    assert "/consultant_add" not in helps[CONS] and "/consultant_add" in helps[ADMIN]

    # a consultant cannot manage staff
    mark = desk.mark()
    desk.user_says(CONS, f"/consultant_add {NEWBIE}")
    refusal = await desk.next_message(CONS, after=mark)
    assert "только администратор" in refusal.text

    # an admin: bad ids get a clear answer, good ones work
    for bad, expected in (
        ("/consultant_add", "Укажите ID"),
        ("/consultant_add abc", "ID пользователя — это число"),
        ("/consultant_add -100123", "ID группы"),
    ):
        mark = desk.mark()
        desk.user_says(ADMIN, bad)
        reply = await desk.next_message(ADMIN, after=mark)
        assert expected in reply.text, (bad, reply.text)
    mark = desk.mark()
    desk.user_says(ADMIN, f"/consultant_add {NEWBIE}")
    added = await desk.next_message(ADMIN, after=mark)
    assert "теперь консультант" in added.text and "/start" in added.text

    mark = desk.mark()
    desk.user_says(NEWBIE, "/queue")
    assert "Открытые вопросы" in (await desk.next_message(NEWBIE, after=mark)).text

    mark = desk.mark()
    desk.user_says(ADMIN, "/staff")
    staff = await desk.next_message(ADMIN, after=mark)
    assert str(NEWBIE) in staff.text and str(CONS) in staff.text and "администратор" in staff.text

    mark = desk.mark()
    desk.user_says(ADMIN, f"/consultant_del {CONS}")
    kept = await desk.next_message(ADMIN, after=mark)
    assert "настройках" in kept.text
    mark = desk.mark()
    desk.user_says(ADMIN, f"/consultant_del {NEWBIE}")
    removed = await desk.next_message(ADMIN, after=mark)
    assert "больше не консультант" in removed.text
    mark = desk.mark()
    desk.user_says(NEWBIE, "/queue")
    assert "я не знаю" in (await desk.next_message(NEWBIE, after=mark)).text
    assert not desk.rejections


# ----------------------------------------------------------------- SLA
async def test_sla_job_reannounces_once_per_period(
    desk: DeskAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    desk.chats[FORUM] = FORUM_CHAT
    bot = await run(desk, settings, sessionmaker, clock, consultant_chat_id=FORUM)
    job_bot = build_bot(settings.model_copy(update={"bot_api_url": desk.url}), desk.token)
    job: dict[str, Any] = {"sla_hours": 4.0, "admin_ids": [ADMIN], "consultant_ids": [CONS]}
    try:
        mark = desk.mark()
        await ask(desk)
        card = await desk.next_message(FORUM, after=mark)
        thread = card.params["message_thread_id"]
        # the handler records the topic right after posting the card: wait for it, or the
        # job would find the consultation without its topic and announce it privately
        await eventually(lambda: venue_of(sessionmaker), (FORUM, thread, "new"))

        assert await sla_job(sessionmaker, job_bot, clock, **job) == 0  # not overdue yet
        clock.now += timedelta(hours=5)
        mark = desk.mark()
        assert await sla_job(sessionmaker, job_bot, clock, **job) == 1
        (again,) = in_thread(desk, FORUM, thread, mark)
        assert "ждёт ответа уже 5 часов" in again.text and again.button("Взять в работу")
        assert await sla_job(sessionmaker, job_bot, clock, **job) == 0  # once per period
        clock.now += timedelta(hours=2)
        assert await sla_job(sessionmaker, job_bot, clock, **job) == 0
        clock.now += timedelta(hours=2)
        assert await sla_job(sessionmaker, job_bot, clock, **job) == 1

        # answered: no more announcements
        mark = desk.mark()
        desk.in_topic(CONS, thread, "Ответ")
        await desk.next_message(USER, after=mark)
        clock.now += timedelta(hours=10)
        assert await sla_job(sessionmaker, job_bot, clock, **job) == 0
        async with sessionmaker() as s:
            count = (await s.execute(select(func.count()).select_from(Consultation))).scalar_one()
        assert count == 1
        assert not desk.rejections
    finally:
        await job_bot.session.close()
        await bot.stop()
