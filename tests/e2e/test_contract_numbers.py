"""Issue 17 through the fake Bot API: a contract known only from its execution documents, a
223-ФЗ record number and a notice with several contracts, in the chat and in inline mode."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.bot import RunningBot
from tests.support.contracts import NUMBER, _import, contract223, execution_et

USER = 3017


async def test_chat_and_inline_find_contracts_by_every_number(
    running_bot: RunningBot, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    reg = "50105018196260000870000"
    await _import(
        sessionmaker,
        tmp_path / "a",
        et=execution_et(),
        c1=contract223(reg, reg[:-1] + "1", "32612345678"),
        c2=contract223("50105018196260000880000", "50105018196260000880001", "32699999999"),
        c3=contract223("50105018196260000890000", "50105018196260000890003", "32699999999"),
    )
    api = running_bot.api

    mark = api.mark()
    api.user_says(USER, NUMBER)
    card = await api.next_message(USER, after=mark)
    assert f"Контракт № {NUMBER}" in card.text and "исполнение прекращено" in card.text
    assert "ещё не загружены" in card.text and "Стороны договорились" in card.text

    mark = api.mark()
    api.user_says(USER, f"договор {reg[:-1]}1")  # the record's number, not contractRegNumber
    card = await api.next_message(USER, after=mark)
    assert f"Контракт № {reg}" in card.text and "АО «Завод»" in card.text

    mark = api.mark()
    api.user_says(USER, "32699999999")  # a notice with two contracts
    listed = await api.next_message(USER, after=mark)
    assert "Контракты по закупке № 32699999999" in listed.text
    labels = [b["text"] for b in listed.buttons()]
    assert "📄 № 50105018196260000880000" in labels and "📄 № 50105018196260000890000" in labels
    mark = api.mark()
    qid = api.press(USER, listed, "📄 № 50105018196260000890000")
    await api.answer_of(qid)
    one = await api.next_message(USER, after=mark)
    assert "Контракт № 50105018196260000890000" in one.text

    qid = api.inline_query(USER, reg[:-1] + "1")
    results = (await api.answer_of(qid))["results"]
    assert results[0]["title"] == f"Контракт № {reg}"
    assert "АО «Завод»" in results[0]["input_message_content"]["message_text"]
    qid = api.inline_query(USER, NUMBER)
    results = (await api.answer_of(qid))["results"]
    assert "ещё не загружены" in results[0]["input_message_content"]["message_text"]
    assert not api.rejections
