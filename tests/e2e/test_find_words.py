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
