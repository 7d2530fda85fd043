"""The user's dialogue (private chat): asking a question, adding to one, leaving it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.flows import consult as flow
from bot.flows.consult import ConsultContext
from bot.services.answers import KnowledgeBase
from bot.services.consultations import (
    About,
    AboutKind,
    answer_about,
    article_about,
    card_about,
)
from bot.services.question_log import QuestionLogWriter
from bot.telegram.callbacks import PRE
from bot.telegram.prompts import cancel_word, is_cancel
from bot.telegram.send import edit_or_send, reply_in_chat
from bot.ui.answers import OutMessage
from bot.ui.callbacks import LONG_QUESTION_KEY, AboutOp, AskAboutCB, MenuCB, MenuItem
from bot.ui.consult import ConsultCB, ConsultOp, prompt_message
from bot.ui.render import render
from handlers.consult.filters import HAS_CONTENT, NOT_COMMAND, PRIVATE

PROMPT_TTL = timedelta(minutes=30)  # an older prompt no longer captures free text


class ConsultForm(StatesGroup):
    question = State()
    follow_up = State()


def _fresh(data: dict[str, Any], now: datetime) -> bool:
    asked = data.get("consult_asked")
    if not isinstance(asked, str):
        return True
    try:
        return now - datetime.fromisoformat(asked) <= PROMPT_TTL
    except ValueError:
        return True


async def start_dialogue(
    state: FSMContext,
    form: State,
    now: datetime,
    consultation_id: int = 0,
    about: About | None = None,
) -> None:
    """`about`: the card or the bot's answer the question is about (kept until it is sent)."""
    await state.set_state(form)
    await state.update_data(
        consult_asked=now.isoformat(),
        consult_id=consultation_id,
        consult_about=about.dump() if about is not None else None,
    )


async def _leave_dialogue(state: FSMContext, now: datetime) -> dict[str, Any]:
    """End the dialogue and return its data; a forgotten prompt (too old) does not capture
    the message: it goes on to the other handlers as an ordinary one."""
    data = await state.get_data()
    await state.set_state(None)
    if not _fresh(data, now):
        raise SkipHandler
    return data


async def cmd_consult(
    message: Message, command: CommandObject, state: FSMContext, consult: ConsultContext
) -> None:
    if command.args and command.args.strip():
        await state.set_state(None)
        await flow.submit(consult, message, command.args, None)
        return
    await start_dialogue(state, ConsultForm.question, consult.now)
    out = prompt_message()
    await message.answer(out.text, reply_markup=out.keyboard)


async def on_menu_consult(
    query: CallbackQuery, state: FSMContext, consult: ConsultContext, bot: Bot
) -> None:
    await start_dialogue(state, ConsultForm.question, consult.now)
    await reply_in_chat(query, bot, prompt_message())


async def _about(
    data: AskAboutCB, consult: ConsultContext, kb: KnowledgeBase | None
) -> About | None:
    def title_of(article_id: str) -> str:
        article = kb.articles.get(article_id) if kb is not None else None
        return article.title if article is not None else ""

    if data.op is AboutOp.PROCEDURE:
        return await card_about(consult.session, AboutKind.PROCEDURE, data.n)
    if data.op is AboutOp.CONTRACT:
        return await card_about(consult.session, AboutKind.CONTRACT, data.n)
    if data.op is AboutOp.ANSWER:
        return await answer_about(consult.session, data.q, consult.user.id, title_of)
    if data.op is AboutOp.ARTICLE and data.n:
        return article_about(data.n, title_of(data.n))
    return None


async def on_ask_about(
    query: CallbackQuery,
    callback_data: AskAboutCB,
    state: FSMContext,
    consult: ConsultContext,
    bot: Bot,
    kb: KnowledgeBase | None = None,
    question_log: QuestionLogWriter | None = None,
) -> None:
    """«Вопрос консультанту» under a card, «Спросить консультанта» under an answer: the
    consultant will see what it was about. Under a question refused as too long for the
    knowledge base, that question goes to the consultant as it is."""
    if callback_data.op is AboutOp.LONG:
        text = (await state.get_data()).get(LONG_QUESTION_KEY)
        if isinstance(text, str) and text.strip() and isinstance(query.message, Message):
            await state.set_state(None)
            await flow.submit(consult, query.message, text, None)  # a refusal keeps the text
            await state.update_data({LONG_QUESTION_KEY: None})  # sent: not twice
            return
    if callback_data.op is AboutOp.ANSWER and question_log is not None:
        await question_log.flush()  # the question may have been asked a moment ago
    about = await _about(callback_data, consult, kb)
    await start_dialogue(state, ConsultForm.question, consult.now, about=about)
    await reply_in_chat(query, bot, prompt_message(about))


async def on_state_command(message: Message, state: FSMContext) -> None:
    """A command during the dialogue cancels it politely; the command itself still runs
    (/cancel and a typed «Отмена» only cancel)."""
    follow_up = await state.get_state() == ConsultForm.follow_up.state
    await state.set_state(None)
    await message.answer(render("consult/cancelled", follow_up=follow_up))
    if not is_cancel(message.text):
        raise SkipHandler


async def on_state_button(query: CallbackQuery, state: FSMContext) -> None:  # noqa: ARG001  (aiogram passes the event)
    """Another button during the dialogue: leave it quietly and let the button work."""
    await state.set_state(None)
    raise SkipHandler


async def on_question(message: Message, state: FSMContext, consult: ConsultContext) -> None:
    data = await _leave_dialogue(state, consult.now)
    text, attachment = flow.content(message)
    await flow.submit(consult, message, text, attachment, About.load(data.get("consult_about")))


async def on_follow_up(message: Message, state: FSMContext, consult: ConsultContext) -> None:
    data = await _leave_dialogue(state, consult.now)
    await flow.follow_up(consult, message, int(data.get("consult_id") or 0))


async def on_state_other(message: Message, state: FSMContext) -> None:
    """A sticker, voice message … during the dialogue: say what is accepted."""
    follow_up = await state.get_state() == ConsultForm.follow_up.state
    await message.answer(render("consult/need_content", follow_up=follow_up))


async def on_cancel(
    query: CallbackQuery, state: FSMContext, callback_answer: CallbackAnswer
) -> None:
    current = await state.get_state()
    if current not in (ConsultForm.question.state, ConsultForm.follow_up.state):
        callback_answer.text = render("common/stale_button")  # already sent or cancelled
        return
    follow_up = current == ConsultForm.follow_up.state
    await state.set_state(None)
    await edit_or_send(query, OutMessage(render("consult/cancelled", follow_up=follow_up)))


def build_router() -> Router:
    router = Router(name="consult.dialogue")
    router.message.filter(PRIVATE)
    router.message.register(cmd_consult, Command("consult"))
    router.message.register(on_state_command, StateFilter(ConsultForm), ~NOT_COMMAND)
    router.message.register(on_state_command, StateFilter(ConsultForm), cancel_word)
    router.message.register(
        on_question, StateFilter(ConsultForm.question), HAS_CONTENT, NOT_COMMAND
    )
    router.message.register(
        on_follow_up, StateFilter(ConsultForm.follow_up), HAS_CONTENT, NOT_COMMAND
    )
    router.message.register(on_state_other, StateFilter(ConsultForm), NOT_COMMAND)
    router.callback_query.register(on_state_button, StateFilter(ConsultForm), ~ConsultCB.filter())
    router.callback_query.register(
        on_menu_consult, MenuCB.filter(F.item == MenuItem.CONSULT), flags=PRE
    )
    router.callback_query.register(on_ask_about, AskAboutCB.filter(), flags=PRE)
    router.callback_query.register(on_cancel, ConsultCB.filter(F.op == ConsultOp.CANCEL))
    return router
