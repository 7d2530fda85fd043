"""A consultant who replies to a card at once can overtake the commit that records the card
(updates are handled concurrently): the answer still reaches the user."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from bot.flows import consult as flow
from bot.services import consultations
from bot.services.consultations import PostRef
from tests.support.consult import CONS, GROUP, GROUP_CHAT, USER, DeskAPI, DeskBot, ask


async def test_a_reply_that_overtakes_the_card_record_is_still_the_answer(
    desk: DeskAPI,
    monkeypatch: pytest.MonkeyPatch,
    desk_bot: DeskBot,
) -> None:
    record = consultations.record_posts
    card_sent = asyncio.Event()
    reply_seen = asyncio.Event()

    async def late_record(session: Any, consultation_id: int, posts: Sequence[PostRef]) -> None:
        if posts and posts[0].kind == "card":
            card_sent.set()
            await reply_seen.wait()  # the consultant's reply is handled before the record
        await record(session, consultation_id, posts)

    find = consultations.find_by_post

    async def watching_find(*args: Any, **kwargs: Any) -> Any:
        found = await find(*args, **kwargs)
        if found is None:
            reply_seen.set()  # the reply looked for its card and did not find it yet
        return found

    monkeypatch.setattr(flow, "record_posts", late_record)
    monkeypatch.setattr(flow, "find_by_post", watching_find)
    desk.add_private_chat(CONS, "Мария")
    await desk_bot()
    mark = desk.mark()
    await ask(desk, "Заказчик не подписывает акт уже месяц")
    card = await desk.next_message(CONS, after=mark, method="sendMessage")
    await asyncio.wait_for(card_sent.wait(), 30)
    mark = desk.mark()
    desk.replies(CONS, card, "Направьте претензию")
    answer = await desk.next_message(USER, after=mark, method="sendMessage")
    assert "Ответ консультанта" in answer.text and "претензию" in answer.text


async def test_a_reply_to_a_message_that_is_no_post_is_told_at_once(
    desk: DeskAPI,
    monkeypatch: pytest.MonkeyPatch,
    desk_bot: DeskBot,
) -> None:
    """The wait for a record is only for a message that may be a consultation post (its
    first line names one): a reply to the /queue listing sent a moment ago is answered at
    once, however long that wait is; a reply to the card is still the answer."""
    monkeypatch.setattr(flow, "RECORD_WAIT_SECONDS", 3600.0)  # the old code would wait an hour
    desk.chats[GROUP] = GROUP_CHAT
    await desk_bot(consultant_chat_id=GROUP)
    mark = desk.mark()
    await ask(desk, "Заказчик не подписывает акт уже месяц")
    card = await desk.next_message(GROUP, after=mark)
    mark = desk.mark()
    desk.says_in(CONS, GROUP_CHAT, "/queue")
    listing = await desk.next_message(GROUP, after=mark)
    assert "№1" in listing.text and "№" not in listing.text.splitlines()[0]
    mark = desk.mark()
    desk.replies(CONS, listing, "спасибо")
    note = await desk.next_message(GROUP, after=mark)  # 30 s, not an hour
    assert "не относится к вопросу" in note.text
    mark = desk.mark()
    desk.replies(CONS, card, "Направьте претензию")
    answer = await desk.next_message(USER, after=mark)
    assert "Ответ консультанта" in answer.text and "претензию" in answer.text
