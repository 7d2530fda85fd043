"""Consultations end to end, the asker's side: nobody on duty keeps the question queued, an
unreachable consultants' chat falls back to private delivery, voice and round video pass
both ways."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.consult import ADMIN, CONS, USER, DeskAPI, DeskBot, ask, rows


async def test_nobody_to_ask_keeps_the_question_in_the_queue(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    desk_bot: DeskBot,
) -> None:
    """No consultant reachable: the question is kept (never dropped), the user is told it will
    be answered when a consultant is on duty, and can withdraw it."""
    await desk_bot(admin_ids=[], consultant_ids=[])
    desk.user_says(USER, "/consult")
    await desk.next_message(USER)
    mark = desk.mark()
    desk.user_says(USER, "Как вернуть обеспечение заявки, если закупку отменили?")
    reply = await desk.next_message(USER, after=mark)
    assert "Вопрос сохранён" in reply.text and "выйдет на смену" in reply.text
    [kept] = await rows(sessionmaker)
    assert kept.status == "new" and "обеспечение заявки" in kept.question
    mark = desk.mark()
    await desk.answer_of(desk.press(USER, reply, "Отозвать"))
    withdrawn = await desk.next_message(USER, after=mark)
    assert "отозван" in withdrawn.text and not withdrawn.buttons()  # nothing to rate
    assert [c.status for c in await rows(sessionmaker)] == ["closed"]
    assert not desk.rejections


async def test_unreachable_chat_falls_back_to_private_and_one_line_consult(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    desk_bot: DeskBot,
) -> None:
    desk.add_private_chat(CONS)  # ADMIN never started the bot: skipped, no crash
    await desk_bot(consultant_chat_id=-1009999)
    mark = desk.mark()
    desk.user_says(USER, "/consult Срочно: как продлить банковскую гарантию?")
    accepted = await desk.next_message(USER, after=mark)
    assert "Вопрос принят" in accepted.text
    card = await desk.next_message(CONS, after=mark)
    assert "продлить банковскую гарантию" in card.text and "ответьте (reply)" in card.text
    (row,) = await rows(sessionmaker)
    assert row.chat_id is None and row.status == "new"
    assert ("getChat", "Bad Request: chat not found") in desk.rejections


async def test_voice_and_video_note_reach_the_other_side(
    desk: DeskAPI,
    desk_bot: DeskBot,
) -> None:
    """A question sent as a voice message reaches the consultants as a voice message; an
    answer recorded as a round video reaches the user (its caption goes as a text first)."""
    desk.add_private_chat(CONS, "Мария")
    desk.add_private_chat(ADMIN, "Админ")
    await desk_bot()
    mark = desk.mark()
    voice = {"file_id": "AwACAgIAAxkBAAIBvoice", "file_unique_id": "v1", "duration": 7}
    await ask(desk, None, voice=voice, caption="Голосом: отклонили заявку")
    card = await desk.next_message(CONS, after=mark, method="sendMessage")
    assert "Вопрос №1" in card.text and "Голосом" in card.text
    sent_voice = await desk.next_message(CONS, after=mark, method="sendVoice")
    assert sent_voice.params["voice"] == voice["file_id"]

    mark = desk.mark()
    note = {"file_id": "DQACAgIAAxkBAAIBnote", "file_unique_id": "n1", "length": 240,
            "duration": 20}  # fmt: skip
    desk.replies(CONS, card, None, video_note=note)
    answer = await desk.next_message(USER, after=mark, method="sendMessage")
    assert "Ответ консультанта" in answer.text
    sent_note = await desk.next_message(USER, after=mark, method="sendVideoNote")
    assert sent_note.params["video_note"] == note["file_id"]
    assert "caption" not in sent_note.params
    assert not desk.rejections
