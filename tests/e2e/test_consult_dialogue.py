"""Consultations end to end, the dialogue: cancelling by button or command, and what other
commands do while a question is being written."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.bot import FixedClock
from tests.support.consult import CONS, USER, DeskAPI, DeskBot, rows


# ----------------------------------------------------------------- cancelling
async def test_cancel_by_button_command_and_other_commands(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    desk_bot: DeskBot,
) -> None:
    desk.add_private_chat(CONS)
    bot = await desk_bot()
    # the menu button opens the dialogue; «Отмена» closes it
    desk.user_says(USER, "/menu")
    menu = await desk.next_message(USER)
    mark = desk.mark()
    qid = desk.press(USER, menu, "Консультант")
    await desk.answer_of(qid)
    prompt = await desk.next_message(USER, after=mark)
    qid = desk.press(USER, prompt, "Отмена")
    await desk.answer_of(qid)
    await desk.wait_for(lambda: "не отправлен" in desk.messages[(USER, prompt.message_id)]["text"])
    again = desk.press(USER, prompt, "Отмена")  # the old button once more
    assert "устарела" in (await desk.answer_of(again))["text"]

    # a sticker is not a question; /cancel cancels without «unknown command»
    mark = desk.mark()
    desk.user_says(USER, "/consult")
    await desk.next_message(USER, after=mark)
    mark = desk.mark()
    desk.user_says(
        USER,
        None,
        sticker={
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        },
    )
    hint = await desk.next_message(USER, after=mark)
    assert "текстом, документом, фото, голосовым" in hint.text
    mark = desk.mark()
    desk.user_says(USER, "/cancel")
    cancelled = await desk.next_message(USER, after=mark)
    assert "не отправлен" in cancelled.text
    await bot.idle()
    assert len([s for s in desk.sent[mark:] if s.chat_id == USER]) == 1

    # another command cancels politely and still runs
    mark = desk.mark()
    desk.user_says(USER, "/consult")
    await desk.next_message(USER, after=mark)
    mark = desk.mark()
    desk.user_says(USER, "/menu")
    note = await desk.next_message(USER, after=mark)
    assert "не отправлен" in note.text
    shown = await desk.wait_for(lambda: [s for s in desk.sent[mark:] if "Главное меню" in s.text])
    assert shown

    # afterwards free text is a knowledge-base question again
    mark = desk.mark()
    desk.user_says(USER, "какое обеспечение заявки?")
    kb_answer = await desk.next_message(USER, after=mark)
    assert "принят" not in kb_answer.text
    assert await rows(sessionmaker) == []
    assert not [s for s in desk.sent if s.chat_id == CONS]

    # a forgotten prompt (older than 30 minutes) does not capture free text
    mark = desk.mark()
    desk.user_says(USER, "/consult")
    await desk.next_message(USER, after=mark)
    clock.now += timedelta(hours=2)
    mark = desk.mark()
    desk.user_says(USER, "какое обеспечение заявки?")
    late = await desk.next_message(USER, after=mark)
    assert "принят" not in late.text
    assert await rows(sessionmaker) == []
    assert not desk.rejections
