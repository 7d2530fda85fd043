"""Consultations end to end, the consultants' side: a forum supergroup (a topic per
question), a plain group (cards with buttons and replies), private delivery to staff, and a
user who blocked the bot while the consultants go on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ui.consult import ConsultCB
from models import ConsultationMessage, ConsultationPost, User
from tests.fakebotapi import Sent
from tests.support.consult import (
    ADMIN,
    CONS,
    FORUM,
    FORUM_CHAT,
    GROUP,
    GROUP_CHAT,
    NEWBIE,
    USER,
    DeskAPI,
    DeskBot,
    ask,
    eventually,
    in_thread,
    rating_of,
    rows,
    venue_of,
)


# ----------------------------------------------------------------- forum
async def test_forum_topic_answer_follow_up_close_and_rating(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    desk_bot: DeskBot,
) -> None:
    desk.chats[FORUM] = FORUM_CHAT
    await desk_bot(consultant_chat_id=FORUM)
    mark = desk.mark()
    accepted = await ask(desk)
    assert "№1" in accepted.text
    card = await desk.next_message(FORUM, after=mark)
    thread = card.params["message_thread_id"]
    assert desk.topics == ["№1 · Заявку отклонили из-за декларации СМП. Как обжаловать &"]
    assert "Вопрос №1" in card.text and "&lt;пятницы&gt;" in card.text  # escaped
    assert "в этой теме" in card.text and card.button("Взять в работу")
    await eventually(lambda: venue_of(sessionmaker), (FORUM, thread, "new"))

    # the consultant writes in the topic: the user gets «Ответ консультанта»
    mark = desk.mark()
    desk.in_topic(CONS, thread, "Подайте жалобу в ФАС в течение 5 рабочих дней.")
    answer = await desk.next_message(USER, after=mark)
    assert "Ответ консультанта" in answer.text and "жалобу в ФАС" in answer.text
    assert answer.button("Уточнить") and answer.button("Закрыть вопрос")
    (row,) = await rows(sessionmaker)
    assert row.status == "answered" and row.consultant_id == CONS

    # «Уточнить»: the next message goes to the same topic, not to the knowledge base
    mark = desk.mark()
    qid = desk.press(USER, answer, "Уточнить")
    await desk.answer_of(qid)
    prompt = await desk.next_message(USER, after=mark)
    assert "Уточнение" in prompt.text or "уточнение" in prompt.text
    mark = desk.mark()
    desk.user_says(USER, "А если пятница — выходной?")
    sent = await desk.next_message(USER, after=mark)
    assert "Уточнение к вопросу №1 передано" in sent.text
    note = await desk.wait_for(lambda: in_thread(desk, FORUM, thread, mark))
    assert "пятница — выходной" in note[0].text
    (row,) = await rows(sessionmaker)
    assert row.status == "in_work"

    async def reply_is_follow_up(to: Sent, text: str) -> None:
        """The user's reply to `to` reaches the consultation's topic, not the KB."""
        mark = desk.mark()
        desk.replies(USER, to, text)
        sent = await desk.next_message(USER, after=mark)
        assert "Уточнение к вопросу №1 передано" in sent.text
        note = await desk.wait_for(lambda: in_thread(desk, FORUM, thread, mark))
        assert text in note[0].text

    # a direct reply to «Ответ консультанта» is a follow-up as well, not a KB question
    await reply_is_follow_up(answer, "И куда прикладывать скан решения?")

    # a long answer comes in parts, buttons under the last; a reply to an earlier part
    # (no button to tell where it belongs) is a follow-up too
    mark = desk.mark()
    paragraph = "Срок обжалования считают в рабочих днях от даты протокола. " * 11
    desk.in_topic(CONS, thread, "\n\n".join([paragraph.strip()] * 6))
    parts = await desk.wait_for(
        lambda: (p := [s for s in desk.sent[mark:] if s.chat_id == USER]) and len(p) >= 2 and p
    )
    assert parts[0].markup is None and parts[-1].button("Уточнить")

    async def recorded(part: Sent) -> bool:  # the parts are recorded after the last one
        async with sessionmaker() as s:
            found = select(ConsultationPost.id).filter_by(chat_id=USER, message_id=part.message_id)
            return (await s.execute(found)).first() is not None

    await eventually(lambda: recorded(parts[0]), True)
    await reply_is_follow_up(parts[0], "А с какой даты считать, если протокол исправили?")

    # a second question gets its own topic; getChat was asked once
    mark = desk.mark()
    await ask(desk, "Второй вопрос про банковскую гарантию")
    second = await desk.next_message(FORUM, after=mark)
    assert second.params["message_thread_id"] != thread
    assert desk.get_chat_calls == [FORUM]

    # /close in the topic: the user is asked for a rating, and the rating is stored
    mark = desk.mark()
    desk.in_topic(CONS, thread, "/close")
    closed = await desk.next_message(USER, after=mark)
    assert "Вопрос №1 закрыт" in closed.text
    reply = await desk.wait_for(lambda: in_thread(desk, FORUM, thread, mark))
    assert "закрыт" in reply[0].text
    await desk.wait_for(lambda: desk.forum_topics[(FORUM, thread)]["closed"])  # topic too
    assert not desk.forum_topics[(FORUM, second.params["message_thread_id"])]["closed"]
    qid = desk.press(USER, closed, "5")
    await desk.answer_of(qid)
    await desk.wait_for(lambda: "Спасибо" in str(desk.messages[(USER, closed.message_id)]))
    await eventually(lambda: rating_of(sessionmaker), 5)
    row = (await rows(sessionmaker))[0]
    assert (row.status, row.rating, row.closed_by) == ("closed", 5, CONS)

    # writing in a closed topic does not reach the user
    mark = desk.mark()
    desk.in_topic(CONS, thread, "ещё одно")
    refusal = await desk.wait_for(lambda: in_thread(desk, FORUM, thread, mark))
    assert "закрыт" in refusal[0].text
    assert not [s for s in desk.sent[mark:] if s.chat_id == USER]

    # «Уточнить» under the closed consultation's answer: the errors router's alert, the
    # press not answered before it (a second answer would be rejected)
    refused = await desk.answer_of(desk.press(USER, answer, "Уточнить"))
    assert "закрыт" in refused["text"] and refused["show_alert"]
    assert not desk.rejections


# ----------------------------------------------------------------- plain group
async def test_group_card_buttons_replies_and_stray_messages(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    desk_bot: DeskBot,
) -> None:
    desk.chats[GROUP] = GROUP_CHAT
    bot = await desk_bot(consultant_chat_id=GROUP)
    mark = desk.mark()
    await ask(desk)
    card = await desk.next_message(GROUP, after=mark)
    assert "ответьте (reply)" in card.text and "message_thread_id" not in card.params
    assert not desk.topics

    # an ordinary user forging «Взять в работу»: nothing happens, nothing revealed
    (row,) = await rows(sessionmaker)
    forged = desk.press_data(USER, card, ConsultCB(op="take", id=row.id).pack())
    assert "Вопрос" not in (await desk.answer_of(forged)).get("text", "")
    assert (await rows(sessionmaker))[0].consultant_id is None

    mark = desk.mark()
    qid = desk.press(CONS, card, "Взять в работу")
    assert "в работе" in (await desk.answer_of(qid))["text"]
    taken = await desk.next_message(USER, after=mark)
    assert "взял ваш вопрос №1 в работу" in taken.text
    edited = await desk.wait_for(
        lambda: "в работе" in desk.messages[(GROUP, card.message_id)]["text"]
    )
    assert edited
    assert (await rows(sessionmaker))[0].status == "in_work"

    mark = desk.mark()
    desk.replies(CONS, card, "Ответ: пишите жалобу.")
    answer = await desk.next_message(USER, after=mark)
    assert "Ответ консультанта" in answer.text and "пишите жалобу" in answer.text
    await desk.wait_for(lambda: "есть ответ" in desk.messages[(GROUP, card.message_id)]["text"])

    # colleagues chatting in the group: the bot stays quiet
    mark = desk.mark()
    desk.says_in(CONS, GROUP_CHAT, "Коллеги, кто возьмёт вопрос про гарантию?")
    await bot.idle()
    assert not [s for s in desk.sent[mark:] if s.chat_id in (GROUP, USER)]

    # a reply to a bot message that is no consultation: one short note, nothing sent
    mark = desk.mark()
    desk.says_in(CONS, GROUP_CHAT, "/queue")
    listing = await desk.next_message(GROUP, after=mark)
    assert "Открытые вопросы" in listing.text and "№1" in listing.text
    mark = desk.mark()
    desk.replies(CONS, listing, "спасибо")
    note = await desk.next_message(GROUP, after=mark)
    assert "не относится к вопросу" in note.text
    await bot.idle()
    assert not [s for s in desk.sent[mark:] if s.chat_id == USER]

    # «Закрыть» under the card: the user gets the rating keyboard
    mark = desk.mark()
    qid = desk.press(CONS, card, "Закрыть")
    assert "закрыт" in (await desk.answer_of(qid))["text"]
    closed = await desk.next_message(USER, after=mark)
    assert "закрыт" in closed.text and len(closed.buttons()) == 5
    await desk.wait_for(
        lambda: (
            "закрыт" in desk.messages[(GROUP, card.message_id)]["text"]
            and "reply_markup" not in desk.messages[(GROUP, card.message_id)]
        )
    )
    qid = desk.press(USER, closed, "2")
    await desk.answer_of(qid)
    await eventually(lambda: rating_of(sessionmaker), 2)
    assert not desk.rejections


# ----------------------------------------------------------------- private mode
async def test_no_chat_configured_cards_go_privately_to_staff(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    desk_bot: DeskBot,
) -> None:
    desk.add_private_chat(CONS, "Мария")
    desk.add_private_chat(ADMIN, "Админ")
    await desk_bot()
    mark = desk.mark()
    doc = {"file_id": "BQACAgIAAxkBAAIBdoc", "file_unique_id": "d1", "file_name": "p.pdf"}
    await ask(desk, None, document=doc, caption="Отклонили заявку, протокол во вложении")
    cards = {}
    for staff in (CONS, ADMIN):
        card = await desk.next_message(staff, after=mark, method="sendMessage")
        assert "Вопрос №1" in card.text and "протокол во вложении" in card.text
        file = await desk.next_message(staff, after=mark, method="sendDocument")
        assert file.params["document"] == doc["file_id"]
        cards[staff] = card
    assert desk.get_chat_calls == []

    # the consultant replies to the card privately, with a photo
    mark = desk.mark()
    photo = [
        {"file_id": "AgACAgIAAxkBAAIBphoto", "file_unique_id": "p1", "width": 90, "height": 90}
    ]
    desk.replies(CONS, cards[CONS], None, photo=photo, caption="Вот образец жалобы")
    answer = await desk.next_message(USER, after=mark, method="sendMessage")
    assert "Ответ консультанта" in answer.text and "образец жалобы" in answer.text
    sent_photo = await desk.next_message(USER, after=mark, method="sendPhoto")
    assert sent_photo.params["photo"] == photo[0]["file_id"]
    ok = await desk.next_message(CONS, after=mark, method="sendMessage")
    assert "отправлен пользователю" in ok.text
    # the other card shows the new status
    await desk.wait_for(
        lambda: "есть ответ" in desk.messages[(ADMIN, cards[ADMIN].message_id)]["text"]
    )
    async with sessionmaker() as s:
        kinds = (await s.execute(select(ConsultationMessage.file_kind))).scalars().all()
    assert kinds == ["photo"]

    # the follow-up goes to the consultant who answered, as a reply they can answer
    mark = desk.mark()
    qid = desk.press(USER, answer, "Уточнить")
    await desk.answer_of(qid)
    await desk.next_message(USER, after=mark)
    mark = desk.mark()
    desk.user_says(USER, "Куда её подавать?")
    note = await desk.next_message(CONS, after=mark)
    assert "Куда её подавать" in note.text
    assert "передано" in (await desk.next_message(USER, after=mark)).text
    to_admin = [s for s in desk.sent[mark:] if s.chat_id == ADMIN]
    assert {s.method for s in to_admin} <= {"editMessageText"}  # the card's status only
    mark = desk.mark()
    desk.replies(CONS, note, "В ФАС через ЕИС.")
    answer2 = await desk.next_message(USER, after=mark)
    assert "ЕИС" in answer2.text

    # a reply to the photo that came with the answer is a follow-up as well
    mark = desk.mark()
    desk.replies(USER, sent_photo, "А этот образец подходит для 223-ФЗ?")
    await desk.wait_for(
        lambda: [s for s in desk.sent[mark:] if s.chat_id == CONS and "223-ФЗ" in s.text]
    )
    assert "передано" in (await desk.next_message(USER, after=mark)).text

    # a staff reply to an ordinary bot message is just a question for the knowledge base
    mark = desk.mark()
    desk.replies(CONS, ok, "какое обеспечение заявки?")
    kb_answer = await desk.next_message(CONS, after=mark)
    assert "Ответ консультанта" not in kb_answer.text
    assert not [s for s in desk.sent[mark:] if s.chat_id == USER]

    # /close as a reply to the card
    mark = desk.mark()
    desk.replies(CONS, cards[CONS], "/close")
    closed = await desk.next_message(USER, after=mark)
    assert "закрыт" in closed.text
    assert not desk.rejections


# ----------------------------------------------------------------- a blocked user
async def test_blocked_user_does_not_break_the_consultants_flow(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    desk_bot: DeskBot,
) -> None:
    desk.chats[FORUM] = FORUM_CHAT
    await desk_bot(consultant_chat_id=FORUM)
    mark = desk.mark()
    await ask(desk)
    card = await desk.next_message(FORUM, after=mark)
    thread = card.params["message_thread_id"]

    # a chat member who is not staff: told so, the user gets nothing
    mark = desk.mark()
    desk.in_topic(NEWBIE, thread, "Я бы ответил так…")
    stranger = await desk.wait_for(lambda: in_thread(desk, FORUM, thread, mark))
    assert "нет в списке консультантов" in stranger[0].text
    assert f"/consultant_add {NEWBIE}" in stranger[0].text
    assert not [s for s in desk.sent[mark:] if s.chat_id == USER]

    desk.blocked.add(USER)

    mark = desk.mark()
    desk.in_topic(CONS, thread, "Ваш ответ")
    failed = await desk.wait_for(lambda: in_thread(desk, FORUM, thread, mark))
    assert "Не удалось доставить" in failed[0].text and "заблокировал" in failed[0].text
    async with sessionmaker() as s:
        assert (await s.get(User, USER)).is_active is False  # type: ignore[union-attr]

    mark = desk.mark()
    desk.in_topic(CONS, thread, "/close")
    notes = await desk.wait_for(
        lambda: (
            len(in_thread(desk, FORUM, thread, mark)) >= 2 and in_thread(desk, FORUM, thread, mark)
        )
    )
    texts = " ".join(n.text for n in notes)
    assert "закрыт" in texts and "Не удалось доставить" in texts
    assert (await rows(sessionmaker))[0].status == "closed"
    assert not [r for r in desk.rejections if "blocked" not in r[1]]
