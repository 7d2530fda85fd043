"""/find as people use it (issue 18): the header shows their words, open procedures come first,
and filters chosen for one search do not carry over to the next one or to «🔎 Похожие»."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.procurement import SearchFilters, search_procedures
from tests.support.bot import RunningBot
from tests.support.demo import NOW, load_demo

USER = 3181


async def test_open_procedures_first_and_the_users_words(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=150)
    every = await search_procedures(session, "Оказание  услуг", SearchFilters(), NOW, page_size=500)
    assert every.words == "Оказание услуг"
    statuses = [i.status for i in every.items]
    assert "accepting" in statuses and len(set(statuses)) > 1  # both kinds are there
    first_closed = next(n for n, s in enumerate(statuses) if s != "accepting")
    assert all(s != "accepting" for s in statuses[first_closed:])
    paged = [
        i.status
        for page in range(every.total // 5 + 1)
        for i in (
            await search_procedures(
                session, "Оказание услуг", SearchFilters(), NOW, page=page, page_size=5
            )
        ).items
    ]
    assert paged == statuses


async def test_filters_do_not_carry_over(
    running_bot: RunningBot, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=120)
    api = running_bot.api
    api.user_says(USER, "/find поставка бумаги")
    results = await api.next_message(USER)
    assert "🔎 <b>поставка бумаги</b>" in results.text, results.text
    mark = api.mark()
    await api.answer_of(api.press(USER, results, "Только СМП"))
    edited = await api.next_message(USER, after=mark, method="editMessageText")
    current = api.messages[(USER, edited.message_id)]["reply_markup"]["inline_keyboard"]
    assert "✅ Только СМП" in [b["text"] for row in current for b in row]
    mark = api.mark()
    api.user_says(USER, "/find картриджи")
    fresh = await api.next_message(USER, after=mark)
    assert "▫️ Только СМП" in [b["text"] for b in fresh.buttons()]
    assert "только СМП" not in fresh.text.split("\n")[0]
    assert not api.rejections


async def test_open_first_also_beyond_the_count_cap(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.services.procurement import search

    await load_demo(sessionmaker, tmp_path, count=150)
    every = await search_procedures(session, "поставка", SearchFilters(), NOW, page_size=500)
    opened = sum(i.status == "accepting" for i in every.items)
    assert 0 < opened < every.total
    monkeypatch.setattr(search, "COUNT_CAP", opened + 3)  # the «many matches» path
    seen = []
    for page in range(3):
        found = await search_procedures(session, "поставка", SearchFilters(), NOW, page=page)
        assert found.more
        seen += [i.number for i in found.items]
    assert seen == [i.number for i in every.items][: len(seen)]


async def test_find_takes_numbers_inns_long_queries_and_most_of_the_words(
    running_bot: RunningBot, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """What a newcomer types after /find: a registry number (the card), a customer's INN
    (their notices), words no notice has all of (those with all but one, saying which word
    was left out), a query longer than the limit (cut between words, not inside one); and a
    number with a letter typed into it gets a hint about the letter."""
    from sqlalchemy import select

    from models import Procedure

    await load_demo(sessionmaker, tmp_path, count=120)
    async with sessionmaker() as session:
        number, inn = (
            await session.execute(
                select(Procedure.number, Procedure.customer_inn).order_by(Procedure.id).limit(1)
            )
        ).one()
    api = running_bot.api

    api.user_says(USER, f"/find {number}")
    card = await api.next_message(USER)
    assert f"Закупка № {number}" in card.text, card.text

    mark = api.mark()
    api.user_says(USER, f"/find {inn}")
    found = await api.next_message(USER, after=mark)
    assert "Найдено" in found.text and number in found.text, found.text

    mark = api.mark()
    api.user_says(USER, "/find офисная бумага для принтера")
    partial = await api.next_message(USER, after=mark)
    assert "без слова «принтера»" in partial.text and "Найдено" in partial.text, partial.text

    mark = api.mark()
    api.user_says(USER, "/find " + "поставка бумаги " * 19)
    long = await api.next_message(USER, after=mark)
    bold = long.text.split("<b>", 1)[1].split("</b>", 1)[0]
    assert bold.split()[-1] in ("поставка", "бумаги") and len(bold) <= 300, bold

    mark = api.mark()
    api.user_says(USER, number[:-2] + "A6")
    hint = await api.next_message(USER, after=mark)
    assert "не только цифры" in hint.text, hint.text
    assert not api.rejections
