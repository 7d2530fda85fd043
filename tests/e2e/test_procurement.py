"""Registry numbers and /find through the fake Bot API."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Contract, Procedure
from tests.support.bot import FixedClock, RunningBot
from tests.support.demo import load_demo

USER = 3001


async def test_number_shows_procedure_card(
    running_bot: RunningBot,
    clock: FixedClock,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    tmp_path: Path,
) -> None:
    await load_demo(sessionmaker, tmp_path, count=40)
    api = running_bot.api
    number = (
        (
            await session.execute(
                select(Procedure.number)
                .where(Procedure.applications_end > clock.now)
                .order_by(Procedure.id)
            )
        )
        .scalars()
        .first()
    )
    assert number is not None
    api.user_says(USER, f"что с закупкой {number}?")
    card = await api.next_message(USER)
    assert f"Закупка № {number}" in card.text and "НМЦК" in card.text and "₽" in card.text
    labels = [b["text"] for b in card.buttons()]
    assert any("Напоминать" in label for label in labels) and any(
        "Похожие" in label for label in labels
    )
    assert any(b.get("url", "").startswith("https://zakupki.gov.ru") for b in card.buttons())
    mark = api.mark()
    api.press(USER, card, "Напоминать")
    subscribed = await api.next_message(USER, after=mark)
    assert "Готово" in subscribed.text and number in subscribed.text
    mark = api.mark()
    qid = api.press(USER, card, "Похожие")
    await api.answer_of(qid)
    similar = await api.next_message(USER, after=mark)
    assert "Найдено" in similar.text
    assert not api.rejections


async def test_contract_card(
    running_bot: RunningBot,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    tmp_path: Path,
) -> None:
    await load_demo(sessionmaker, tmp_path, count=60)
    api = running_bot.api
    number = (await session.execute(select(Contract.number))).scalars().first()
    assert number
    api.user_says(USER, number)
    card = await api.next_message(USER)
    assert (
        f"Контракт № {number}" in card.text and "Статус" in card.text and "Поставщик" in card.text
    )


async def test_unknown_and_partial_numbers_get_hints(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.user_says(USER, "0873200009825009999")
    msg = await api.next_message(USER)
    assert "Не нашёл" in msg.text and "19 цифр" in msg.text
    mark = api.mark()
    api.user_says(USER, "08732000098250")
    msg = await api.next_message(USER, after=mark)
    assert "14 цифр" in msg.text


async def test_find_with_filters_and_pages(
    running_bot: RunningBot, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=120)
    api = running_bot.api
    api.user_says(USER, "/find поставка")
    results = await api.next_message(USER)
    assert "Найдено" in results.text and "регион 74" in results.text
    mark = api.mark()
    qid = api.press(USER, results, "Только СМП")
    await api.answer_of(qid)
    edited = await api.next_message(USER, after=mark, method="editMessageText")
    assert "только СМП" in edited.text
    current = api.messages[(USER, edited.message_id)]
    next_button = [
        b for row in current["reply_markup"]["inline_keyboard"] for b in row if b["text"] == "▶️"
    ]
    if next_button:
        mark = api.mark()
        qid = api.press_data(USER, edited, next_button[0]["callback_data"])
        await api.answer_of(qid)
        page2 = await api.next_message(USER, after=mark, method="editMessageText")
        assert "страница 2" in page2.text
    mark = api.mark()
    qid = api.press(USER, results, "Цена до")
    await api.answer_of(qid)
    prices = await api.next_message(USER, after=mark)
    mark = api.mark()
    qid = api.press(USER, prices, "до 1")
    await api.answer_of(qid)
    filtered = await api.next_message(USER, after=mark)
    assert "до 1" in filtered.text
    card_button = next(b for b in results.buttons() if b["text"].startswith("📄"))
    mark = api.mark()
    qid = api.press_data(USER, results, card_button["callback_data"])
    await api.answer_of(qid)
    card = await api.next_message(USER, after=mark)
    assert "Закупка №" in card.text
    assert not api.rejections


async def test_find_bad_input(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.user_says(USER, "/find")
    assert "/find" in (await api.next_message(USER)).text
    mark = api.mark()
    api.user_says(USER, "/find !!! ???")
    assert "словами" in (await api.next_message(USER, after=mark)).text
    mark = api.mark()
    api.user_says(USER, "/find " + "бумага " * 800)
    assert (await api.next_message(USER, after=mark)).text
    # a filter button from an old search after the state is gone
    qid = api.press_data(USER, (await api.next_message(USER, after=mark)), "s1:smp:")
    await api.answer_of(qid)
    assert not api.rejections
