"""Consultations asked from somewhere keep where from: a procedure card, the bot's answer; a
question too long for the knowledge base goes to a consultant as it is; times on a card are
in its reader's time zone."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models import Procedure, User
from tests.support.bot import FixedClock
from tests.support.consult import ADMIN, CONS, USER, DeskAPI, DeskBot, rows
from tests.support.demo import load_demo


async def _first_procedure(sessionmaker: async_sessionmaker[AsyncSession]) -> Procedure:
    async with sessionmaker() as s:
        return (await s.execute(select(Procedure).order_by(Procedure.id).limit(1))).scalar_one()


async def test_a_question_from_a_procedure_card_names_the_procedure(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    desk_bot: DeskBot,
) -> None:
    await load_demo(sessionmaker, tmp_path, count=20)
    procedure = await _first_procedure(sessionmaker)
    desk.add_private_chat(CONS, "Мария")
    desk.add_private_chat(ADMIN, "Админ")
    await desk_bot()
    mark = desk.mark()
    desk.user_says(USER, procedure.number)
    card = await desk.next_message(USER, after=mark)
    assert f"Закупка № {procedure.number}" in card.text
    mark = desk.mark()
    await desk.answer_of(desk.press(USER, card, "Вопрос консультанту"))
    prompt = await desk.next_message(USER, after=mark)
    assert f"По закупке № {procedure.number}" in prompt.text and prompt.button("Отмена")
    mark = desk.mark()
    desk.user_says(USER, "Как подать заявку на эту закупку?")
    accepted = await desk.next_message(USER, after=mark)
    assert "Вопрос принят" in accepted.text and accepted.button("Отозвать вопрос")
    staff_card = await desk.next_message(CONS, after=mark)
    assert f"По закупке № {procedure.number}" in staff_card.text
    assert procedure.title[:40] in staff_card.text
    assert "Как подать заявку на эту закупку?" in staff_card.text
    assert not desk.rejections


async def test_a_question_after_the_bots_answer_shows_that_answer(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    desk_bot: DeskBot,
) -> None:
    """«Спросить консультанта» under an answer, then «помогите»: the consultant sees the
    question the user asked the bot and the article it answered with; /forget erases both."""
    desk.add_private_chat(CONS, "Мария")
    desk.add_private_chat(ADMIN, "Админ")
    await desk_bot()
    asked = "какое обеспечение заявки нужно вносить на аукционе?"
    desk.user_says(USER, asked)
    answers = await desk.wait_for(
        lambda: [s for s in desk.to_chat(USER) if s.buttons() and "Основание" in s.text]
    )
    answer = answers[-1]
    mark = desk.mark()
    await desk.answer_of(desk.press(USER, answer, "Спросить консультанта"))
    prompt = await desk.next_message(USER, after=mark)
    assert f"Вопрос боту: «{asked}»" in prompt.text
    mark = desk.mark()
    desk.user_says(USER, "помогите")
    staff_card = await desk.next_message(CONS, after=mark)
    assert f"Вопрос боту: «{asked}»" in staff_card.text, staff_card.text
    assert "помогите" in staff_card.text
    (row,) = await rows(sessionmaker)
    about = json.loads(row.about or "{}")
    assert about["question"] == asked and about["article_id"] and about["article_title"]
    assert f"ответ из статьи «{about['article_title'][:20]}" in staff_card.text

    mark = desk.mark()
    desk.user_says(USER, "/forget")
    confirm = await desk.next_message(USER, after=mark)
    await desk.answer_of(desk.press(USER, confirm, "Да"))
    (row,) = await rows(sessionmaker)
    assert row.erased_at is not None and row.about is None and row.question == ""


async def test_a_question_too_long_for_the_knowledge_base_goes_to_a_consultant(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    desk_bot: DeskBot,
) -> None:
    """5,075 characters: refused by the knowledge base with «Спросить консультанта»; pressed,
    the whole text reaches the consultant: the card shows its start, notes carry the rest,
    every message within Telegram's 4,096 characters (the fake server refuses longer)."""
    desk.add_private_chat(CONS, "Мария")
    desk.add_private_chat(ADMIN, "Админ")
    await desk_bot()
    long = " ".join(f"абзац{i} заказчик не подписывает акт приёмки" for i in range(120))
    long = (long + " конец")[:5075]
    assert len(long) == 5075
    mark = desk.mark()
    desk.user_says(USER, long)
    refused = await desk.next_message(USER, after=mark)
    assert "очень длинное" in refused.text and "консультанту как есть" in refused.text
    mark = desk.mark()
    await desk.answer_of(desk.press(USER, refused, "Спросить консультанта"))
    accepted = await desk.next_message(USER, after=mark)
    assert "Вопрос принят" in accepted.text
    card = await desk.next_message(CONS, after=mark)
    assert "Вопрос длинный" in card.text and "продолжение" in card.text
    parts = await desk.wait_for(
        lambda: [s for s in desk.to_chat(CONS)[1:] if "продолжение (" in s.text] or None
    )
    (row,) = await rows(sessionmaker)
    assert row.question == long.strip()
    shown = card.text + "".join(p.text for p in parts)
    assert "абзац0 " in shown and long.split()[-1] in shown
    assert not desk.rejections


async def test_the_card_shows_times_in_the_consultants_own_zone(
    desk: DeskAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    desk_bot: DeskBot,
) -> None:
    """The consultant chose Moscow time in /settings: «Задан: … в HH:MM (Москва)», not the
    default region's zone."""
    desk.add_private_chat(CONS, "Мария")
    desk.add_private_chat(ADMIN, "Админ")
    await desk_bot()
    desk.user_says(CONS, "/start")  # the consultant is a known user …
    await desk.next_message(CONS)
    async with sessionmaker() as s:  # … who chose Moscow time
        await s.execute(update(User).where(User.id == CONS).values(timezone="Europe/Moscow"))
        await s.commit()
    mark = desk.mark()
    desk.user_says(USER, "/consult Заказчик не подписывает акт")
    card = await desk.next_message(CONS, after=mark)
    moscow = clock.now.astimezone(ZoneInfo("Europe/Moscow"))
    assert f"в {moscow:%H:%M} (Москва)" in card.text, card.text
    admin_card = await desk.next_message(ADMIN, after=mark)
    assert settings.default_timezone != "Europe/Moscow"
    assert "(Москва)" not in admin_card.text and "Задан:" in admin_card.text
