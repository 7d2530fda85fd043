"""Questions, articles, feedback, FAQ, glossary and inline mode through the fake Bot API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import QuestionLog
from tests.support.bot import RunningBot

ALICE, BOB = 2001, 2002


async def test_question_gets_cited_answer_and_feedback_is_stored(
    running_bot: RunningBot, session: AsyncSession
) -> None:
    api = running_bot.api
    api.user_says(ALICE, "какое обеспечение заявки нужно вносить на аукционе?")
    msg = await api.wait_for(lambda: [s for s in api.to_chat(ALICE) if s.buttons()])
    answer = msg[-1]
    assert "Основание" in answer.text and "44-ФЗ" in answer.text and "Проверено" in answer.text
    labels = [b["text"] for b in answer.buttons()]
    assert any("Помогло" in label for label in labels) and any(
        "консультанта" in label for label in labels
    )
    qid = api.press(ALICE, answer, "Не помогло")
    reply = await api.answer_of(qid)
    assert "Спасибо" in reply["text"]
    row = (
        await session.execute(select(QuestionLog).where(QuestionLog.user_id == ALICE))
    ).scalar_one()
    assert row.outcome == "answer" and row.article_id and row.feedback == -1 and row.score > 0
    # Bob forges a press on Alice's feedback button: refused, nothing changes.
    qid = api.press(BOB, answer, "Помогло")
    reply = await api.answer_of(qid)
    assert "чуж" in reply["text"]
    session.expire_all()
    row = (
        await session.execute(select(QuestionLog).where(QuestionLog.user_id == ALICE))
    ).scalar_one()
    assert row.feedback == -1
    assert not api.rejections


async def test_off_topic_question_is_declined_with_consultant_button(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api
    api.user_says(ALICE, "какая завтра погода в челябинске")
    msg = await api.next_message(ALICE)
    assert "не из моей области" in msg.text
    assert any("консультанта" in b["text"] for b in msg.buttons())


async def test_suggestion_choice_is_recorded(
    running_bot: RunningBot, session: AsyncSession
) -> None:
    api = running_bot.api
    api.user_says(ALICE, "гарантия")
    msg = await api.next_message(ALICE)
    # suggestions or related articles: either way article buttons carry the question id
    article_buttons = [b for b in msg.buttons() if b.get("callback_data", "").startswith("a1:")]
    assert article_buttons, msg.text
    mark = api.mark()
    qid = api.press_data(ALICE, msg, article_buttons[0]["callback_data"])
    await api.answer_of(qid)
    article = await api.next_message(ALICE, after=mark)
    assert "Основание" in article.text or article.buttons()
    row = (
        await session.execute(select(QuestionLog).where(QuestionLog.user_id == ALICE))
    ).scalar_one()
    assert row.chosen_article_id == article_buttons[0]["callback_data"].split(":")[1]


async def test_faq_pagination_edits_the_message(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.user_says(ALICE, "/faq")
    sections = await api.next_message(ALICE)
    assert "База знаний" in sections.text and len(sections.buttons()) == 12
    mark = api.mark()
    qid = api.press(ALICE, sections, "Обеспечение")
    await api.answer_of(qid)
    edited = await api.next_message(ALICE, after=mark, method="editMessageText")
    assert "Обеспечение" in edited.text
    page = api.messages[(ALICE, edited.message_id)]
    labels = [b["text"] for row in page["reply_markup"]["inline_keyboard"] for b in row]
    assert "☰ Разделы" in labels
    # pressing the same page again is "not modified" for Telegram: handled, still answered
    qid = api.press(ALICE, edited, "☰ Разделы")
    await api.answer_of(qid)
    qid = api.press_data(ALICE, edited, "q1::0")
    await api.answer_of(qid)
    qid = api.press_data(ALICE, edited, "q1:nosuchsection:0")
    answer = await api.answer_of(qid)
    assert "Не нашёл" in answer["text"]
    assert [r for r in api.rejections if "not modified" not in r[1]] == []


async def test_glossary(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.user_says(ALICE, "/glossary нмцк")
    msg = await api.next_message(ALICE)
    assert "НМЦК" in msg.text and "цена" in msg.text
    mark = api.mark()
    api.user_says(ALICE, "/glossary <b>абырвалг</b>")
    msg = await api.next_message(ALICE, after=mark)
    assert "нет в глоссарии" in msg.text
    mark = api.mark()
    api.user_says(ALICE, "/glossary")
    msg = await api.next_message(ALICE, after=mark)
    assert "/glossary" in msg.text


async def test_inline_mode(running_bot: RunningBot) -> None:
    api = running_bot.api
    qid = api.inline_query(ALICE, "банковская гарантия")
    answered = await api.answer_of(qid)
    results = answered["results"]
    assert 1 <= len(results) <= 50
    assert any("гарант" in r["title"].lower() for r in results)
    qid = api.inline_query(ALICE, "погода")
    assert (await api.answer_of(qid))["results"] == []
    assert not api.rejections


async def test_odd_messages_all_get_polite_answers(running_bot: RunningBot) -> None:
    api = running_bot.api
    odd = [
        "🙂🙂🙂",
        '" * ( ) NEAR AND OR ^',
        "'; DROP TABLE users; --",
        "<i>привет</i> &amp;",
        "x" * 4096,
    ]
    for i, text in enumerate(odd):
        mark = api.mark()
        api.user_says(ALICE + i + 10, text)
        msg = await api.next_message(ALICE + i + 10, after=mark)
        assert msg.text
    assert not api.rejections
