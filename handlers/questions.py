"""Free text is a question for the knowledge base; article buttons and 👍/👎."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services import Session
from bot.services.answers import KnowledgeBase, record_choice, record_feedback
from bot.services.question_log import QuestionLogWriter
from bot.services.users import UserInfo
from bot.telegram.send import send_all
from bot.ui.answers import answer_messages, article_messages
from bot.ui.callbacks import LONG_QUESTION_KEY, ArticleCB, FeedbackCB
from bot.ui.render import render

NOT_LOGGED = frozenset({"empty", "too_long", "small_talk"})


async def on_question(
    message: Message,
    kb: KnowledgeBase,
    question_log: QuestionLogWriter,
    user: UserInfo,
    clock: Callable[[], datetime],
    state: FSMContext,
) -> None:
    answer = kb.ask(message.text or "")
    log_id = 0
    if answer.outcome == "too_long":  # «Спросить консультанта» under the refusal sends it
        await state.update_data({LONG_QUESTION_KEY: answer.question})
    if answer.outcome not in NOT_LOGGED:  # the id now, the row right after the reply
        log_id = await question_log.log(answer, user_id=user.id, source="chat", now=clock())
    await send_all(message, answer_messages(answer, log_id))


async def on_article(
    query: CallbackQuery,
    callback_data: ArticleCB,
    kb: KnowledgeBase,
    session: Session,
    user: UserInfo,
    question_log: QuestionLogWriter,
) -> None:
    view = kb.view(callback_data.id)
    if callback_data.q:
        await question_log.flush()  # the question may have been asked a moment ago
        await record_choice(session, callback_data.q, user.id, view.id)
    if isinstance(query.message, Message):
        await send_all(query.message, article_messages(view, callback_data.q))


async def on_feedback(
    _query: CallbackQuery,
    callback_data: FeedbackCB,
    session: Session,
    user: UserInfo,
    callback_answer: CallbackAnswer,
    question_log: QuestionLogWriter,
) -> None:
    await question_log.flush()  # the question may have been asked a moment ago
    changed = await record_feedback(session, callback_data.q, user.id, callback_data.v > 0)
    text = (
        render("qa/feedback", useful=callback_data.v > 0)
        if changed
        else render("qa/feedback_again")
    )
    callback_answer.text = text[:200]


def build_router() -> Router:
    router = Router(name="questions")
    router.message.register(on_question, F.chat.type == "private", F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_article, ArticleCB.filter())
    router.callback_query.register(on_feedback, FeedbackCB.filter(F.v.in_({1, -1})))
    return router
