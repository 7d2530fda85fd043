"""Reminders end to end: chat flows through the real dispatcher, and the outbox delivered
through the fake Bot API with 429 / 403 / 5xx injected and a restart in the middle."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from aiogram import Bot
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_bot, reminder_defaults
from bot.config import Settings
from bot.jobs.reminders import ReminderRunner
from bot.services.reminders.subscriptions import subscribe
from bot.telegram.outbox import LOOKAHEAD, PACING, Delivery
from bot.ui.callbacks import SubCB
from models import Reminder, Subscription
from tests.factories import NOW, add_procedure, add_user
from tests.fakebotapi import FakeBotAPI
from tests.support.bot import FixedClock, RunningBot

ALICE, MALLORY = 7001, 7002
NUMBER = "0169300000126000123"


async def test_subscribe_list_pause_and_forged_buttons(
    running_bot: RunningBot, session: AsyncSession
) -> None:
    api = running_bot.api
    await add_procedure(session, NUMBER, applications_end=NOW + timedelta(days=5))
    api.user_says(ALICE, NUMBER)
    card = await api.next_message(ALICE)
    mark = api.mark()
    api.press(ALICE, card, "Напоминать")
    done = await api.next_message(ALICE, after=mark)
    assert "Готово" in done.text and "3 дня, 1 день, 3 часа" in done.text
    assert "26 ноября в 10:00" in done.text  # 24 Nov 10:00 + 5 days - 3 days, local time

    mark = api.mark()
    api.user_says(ALICE, "/reminders")
    listing = await api.next_message(ALICE, after=mark)
    assert "Закупка № " + NUMBER in listing.text and "следующее напоминание" in listing.text
    sub_id = (await session.execute(select(Subscription.id))).scalar_one()

    # Mallory forges a button for Alice's subscription: nothing changes, nothing revealed
    api.user_says(MALLORY, "/start")
    await api.next_message(MALLORY)
    forged = api.press_data(MALLORY, listing, SubCB(op="del", id=sub_id).pack())
    assert "не найдена" in (await api.answer_of(forged))["text"]
    await session.rollback()
    assert (await session.execute(select(func.count()).select_from(Subscription))).scalar_one() == 1

    qid = api.press(ALICE, listing, "⏸ 1")
    assert "пауз" in (await api.answer_of(qid))["text"]
    edited = await api.wait_for(
        lambda: "на паузе" in api.messages[(ALICE, listing.message_id)]["text"]
    )
    assert edited
    await session.rollback()
    statuses = set((await session.execute(select(Reminder.status))).scalars())
    assert statuses == {"paused"}
    assert not api.rejections


async def test_settings_dialogue_refuses_bad_input_and_saves_good(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api
    api.user_says(ALICE, "/settings")
    screen = await api.next_message(ALICE)
    assert "3 дня, 1 день, 3 часа" in screen.text and "22:00-08:00" in screen.text
    for bad in ("-1d", "999d", "abc", "0m"):
        mark = api.mark()
        api.press(ALICE, screen, "Сроки")
        await api.next_message(ALICE, after=mark)  # the prompt
        mark = api.mark()
        api.user_says(ALICE, bad)
        refusal = await api.next_message(ALICE, after=mark)
        assert "Срок" in refusal.text or "срок" in refusal.text, refusal.text
    mark = api.mark()
    api.user_says(ALICE, "2d, 4h")
    saved = await api.next_message(ALICE, after=mark)
    assert "Сохранено" in saved.text and "2 дня, 4 часа" in saved.text

    mark = api.mark()
    api.press(ALICE, saved, "Часовой пояс")
    zones = await api.next_message(ALICE, after=mark)
    mark = api.mark()
    api.user_says(ALICE, "Нарния")
    assert "Не знаю часовой пояс" in (await api.next_message(ALICE, after=mark)).text
    mark = api.mark()
    api.press(ALICE, zones, "Омск")
    await api.wait_for(lambda: any("Омск" in (s.text or "") for s in api.sent[mark:]))

    mark = api.mark()
    api.press(ALICE, saved, "Тихие часы")
    await api.next_message(ALICE, after=mark)
    mark = api.mark()
    api.user_says(ALICE, "нет")
    quiet = await api.next_message(ALICE, after=mark)
    assert "Тихие часы: <b>выключены</b>" in quiet.text
    # after saving, free text is a question again, not a setting
    mark = api.mark()
    api.user_says(ALICE, "какое обеспечение заявки?")
    answer = await api.next_message(ALICE, after=mark)
    assert "Сохранено" not in answer.text
    assert not api.rejections


async def _setup_subscribers(
    session: AsyncSession, settings: Settings, users: list[int], api: FakeBotAPI
) -> None:
    for i, user in enumerate(users):
        api.add_private_chat(user)
        await add_user(session, user)
        number = f"01693000001260{i:05d}"
        await add_procedure(session, number, applications_end=NOW + timedelta(days=5))
        await subscribe(session, user, "procedure", number, reminder_defaults(settings), NOW)


def _runner(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    bot: Bot,
    clock: FixedClock,
) -> ReminderRunner:
    delivery = Delivery(bot, rate=10, backoff=0.05, max_attempts=4)
    return ReminderRunner(sessionmaker, delivery, reminder_defaults(settings), clock, batch=8)


def _bot(api: FakeBotAPI, settings: Settings) -> Bot:
    return build_bot(settings.model_copy(update={"bot_api_url": api.url}), api.token)


async def _restarted_run(
    api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    """A new process: its own bot session and runner, one run of the outbox job."""
    bot = _bot(api, settings)
    await _runner(settings, sessionmaker, bot, clock).run_once()
    await bot.session.close()


def _reminders_per_chat(api: FakeBotAPI, users: list[int]) -> dict[int, int]:
    reminders = [s for s in api.sent if (s.text or "").startswith("⏰")]
    return {u: sum(1 for s in reminders if s.chat_id == u) for u in users}


async def test_outbox_survives_faults_and_a_restart_without_loss_or_doubles(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    clock: FixedClock,
) -> None:
    api = fake_api
    users = list(range(9000, 9030))
    await _setup_subscribers(session, settings.model_copy(update={"quiet_hours": ""}), users, api)
    api.send_limit = 10
    api.per_chat_interval = 1.0
    api.blocked.add(users[5])  # 403
    api.fail_next("sendMessage", 429, retry_after=1)
    api.fail_next("sendMessage", 500, chat_id=users[7], count=2)
    api.fail_next("sendMessage", 502, chat_id=users[20])
    clock.now = NOW + timedelta(days=2, minutes=1)  # every 3-day lead is due

    bot1 = _bot(api, settings)
    first = _runner(settings, sessionmaker, bot1, clock)
    task = asyncio.create_task(first.run_once())
    await api.wait_for(lambda: len(api.sent) >= 10, timeout=30)
    await first.stop()  # SIGTERM-like: in-flight messages finish, claimed rows go back
    await asyncio.wait_for(task, 30)
    await bot1.session.close()
    sent_before = len(api.sent)
    assert 10 <= sent_before < 29

    await _restarted_run(api, settings, sessionmaker, clock)
    per_chat = _reminders_per_chat(api, users)
    assert per_chat.pop(users[5]) == 0
    assert set(per_chat.values()) == {1}, per_chat  # zero lost, zero doubled
    await session.rollback()
    found = await session.execute(select(Reminder.status, func.count()).group_by(Reminder.status))
    statuses = {status: count for status, count in found.tuples()}
    # 29 sent, Alice-blocked one failed; the 1-day and 3-hour leads wait for their time
    assert statuses == {"sent": 29, "failed": 1, "pending": 60}
    assert ("sendMessage", "Too Many Requests: retry after 1") in api.rejections


async def test_a_kill_mid_send_never_doubles_and_records_what_is_unknown(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    clock: FixedClock,
) -> None:
    api = fake_api
    users = list(range(9100, 9120))
    await _setup_subscribers(session, settings.model_copy(update={"quiet_hours": ""}), users, api)
    api.send_limit = 10
    clock.now = NOW + timedelta(days=2, minutes=1)
    bot1 = _bot(api, settings)
    task = asyncio.create_task(_runner(settings, sessionmaker, bot1, clock).run_once())
    await api.wait_for(lambda: len(api.sent) >= 6, timeout=30)
    task.cancel()  # kill -9: no graceful release
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await bot1.session.close()

    clock.now += timedelta(minutes=11)  # the lease of the dead process is over
    await _restarted_run(api, settings, sessionmaker, clock)
    per_chat = _reminders_per_chat(api, users)
    assert max(per_chat.values()) == 1  # never doubled
    await session.rollback()
    rows = (
        await session.execute(
            select(Reminder.user_id, Reminder.status).where(Reminder.lead_minutes == 4320)
        )
    ).all()
    unknown = {u for u, status in rows if status == "unknown"}
    sent = {u for u, status in rows if status == "sent"}
    assert sent | unknown == set(users) and not sent & unknown
    assert all(per_chat[u] == 1 for u in sent)
    # only what was marked sending at the kill: the look-ahead and the one tick in flight
    lookahead = max(1, round(10 * PACING * LOOKAHEAD))
    assert len(unknown) <= lookahead + 1
