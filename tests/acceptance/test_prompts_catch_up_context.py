"""Second steps through the bot that `smebot run` starts: a value prompt left with «Отмена» or
/cancel (what is typed next is no longer taken as the value); a subscription made when the
lead time has already passed gets one catch-up reminder a minute later, every deadline inside
the lead in one message; a consultant's card says what the question was about (a notice card,
the bot's answer)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.schedule import ASAP_DELAY
from tests.acceptance.support import (
    WAIT,
    drop_files,
    eventually,
    importing_bot,
    notice_file,
    procedures,
    reminders_every,
    reminders_to,
)
from tests.fakebotapi import Sent
from tests.support.consult import DeskAPI

SUBSCRIBER, SETTER, ASKER, CONSULTANT = 4301, 4302, 4303, 4304
POLL = 2.0


async def say(api: DeskAPI, user_id: int, text: str) -> Sent:
    mark = api.mark()
    api.user_says(user_id, text)
    return await api.next_message(user_id, after=mark, timeout=WAIT)


async def press(api: DeskAPI, user_id: int, sent: Sent, label: str) -> Sent:
    """Press a button that answers with a new message; returns it."""
    mark = api.mark()
    api.press(user_id, sent, label)
    return await api.next_message(user_id, after=mark, method="sendMessage", timeout=WAIT)


async def test_cancelled_prompts_catch_up_reminder_and_consultation_context(
    desk_api: DeskAPI, bot_db: tuple[str, AsyncEngine], tmp_path: Path
) -> None:
    api = desk_api
    url, engine = bot_db
    api.add_private_chat(CONSULTANT)
    env = reminders_every(POLL, "1w")
    bot, import_dir = importing_bot(api, tmp_path, url, **env, CONSULTANT_IDS=str(CONSULTANT))
    await bot.start()
    try:
        # a notice whose applications end in two days: the week's lead is already behind
        end = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        name, xml, number = notice_file(711, end=end, title="Поставка сеялок зерновых")
        drop_files(import_dir, [(name, xml)])
        await eventually(lambda: procedures(engine, number), "the notice's import")

        # (b) subscribing: one catch-up reminder about a minute later
        card = await say(api, SUBSCRIBER, number)
        done = await press(api, SUBSCRIBER, card, "Напоминать")
        subscribed_at = time.time()
        assert "Готово" in done.text and "за 1 неделю уже поздно" in done.text, done.text

        # (a) a settings prompt left with the «Отмена» button, another with /cancel: the
        # value typed next is not saved
        shown = await say(api, SETTER, "/settings")
        prompt = await press(api, SETTER, shown, "Сроки")
        toast = await api.answer_of(api.press(SETTER, prompt, "Отмена"), timeout=WAIT)
        assert "настройки не изменились" in toast.get("text", ""), toast
        after = await say(api, SETTER, "за 2 дня")
        assert "Сохранено" not in after.text, after.text
        shown = await say(api, SETTER, "/settings")
        assert "Напоминать за: <b>1 неделю</b> (по умолчанию)" in shown.text, shown.text
        await press(api, SETTER, shown, "Тихие часы")
        cancelled = await say(api, SETTER, "/cancel")
        assert "настройки не изменились" in cancelled.text, cancelled.text
        question = await say(api, SETTER, "какое обеспечение заявки для СМП")
        assert "Основание" in question.text and "Тихие часы" not in question.text, question.text

        # (c) a question to a consultant from the notice's card: the card names the notice
        mark = api.mark()
        prompt = await press(api, SUBSCRIBER, card, "Вопрос консультанту")
        assert f"По закупке № {number}" in prompt.text, prompt.text
        mark = api.mark()
        api.user_says(SUBSCRIBER, "Можно ли подать заявку без опыта поставок?")
        staff_card = await api.next_message(CONSULTANT, after=mark, timeout=WAIT)
        assert f"По закупке № {number}" in staff_card.text, staff_card.text
        assert "Поставка сеялок зерновых" in staff_card.text and "без опыта" in staff_card.text

        # … and from under the bot's answer: the card quotes what the bot was asked
        asked = "в какой срок заказчик должен оплатить контракт по 44-ФЗ?"
        answer = await say(api, ASKER, asked)
        assert "Основание" in answer.text, answer.text
        prompt = await press(api, ASKER, answer, "Спросить консультанта")
        mark = api.mark()
        api.user_says(ASKER, "А если заказчик тянет с приёмкой?")
        staff_card = await api.next_message(CONSULTANT, after=mark, timeout=WAIT)
        assert f"Вопрос боту: «{asked}»" in staff_card.text, staff_card.text
        assert "тянет с приёмкой" in staff_card.text

        # (b) the catch-up: once, soon after subscribing, every deadline in one message
        await bot.until(lambda: reminders_to(api, SUBSCRIBER), "the catch-up", timeout=240)
        late = reminders_to(api, SUBSCRIBER)[0] - subscribed_at
        assert late <= ASAP_DELAY.total_seconds() + POLL + 60, f"{late:.0f} s after subscribing"
        await bot.until(lambda: time.time() > subscribed_at + late + 5 * POLL, "more polls")
        (reminder,) = [s for s in api.to_chat(SUBSCRIBER) if s.text.startswith("⏰")]
        assert number in reminder.text and "заканчивается подача заявок" in reminder.text
        assert "подводятся итоги" in reminder.text, reminder.text  # summarizing: end + 2 days
        assert not api.rejections, api.rejections
    finally:
        code = await bot.stop()
    assert code == 0, bot.output()
    assert "Traceback" not in bot.output(), bot.output()[-4000:]
