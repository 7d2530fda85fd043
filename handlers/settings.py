"""/settings: lead times, time zone, quiet hours, the legislative-news switch, and /forget
(also the «Удалить мои данные» button): erase the user's data after a confirmation."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.services import Clock, Session
from bot.services.consultations import get_consultation, posts_of
from bot.services.privacy import Forgotten, forget_user
from bot.services.question_log import QuestionLogWriter
from bot.services.reminders.planner import update_prefs
from bot.services.reminders.prefs import Defaults, get_prefs
from bot.services.users import UserInfo
from bot.telegram.callbacks import Answer
from bot.telegram.desk import edit_cards
from bot.telegram.prompts import Prompt, own_buttons
from bot.telegram.send import edit_or_send
from bot.ui.answers import OutMessage
from bot.ui.callbacks import SetCB, SetOp
from bot.ui.reminders import (
    cancel_keyboard,
    forget_confirm_message,
    settings_message,
    timezone_keyboard,
)
from bot.ui.render import render

log = logging.getLogger("smebot.settings")

MAX_INPUT = 100


class SettingsForm(StatesGroup):
    lead = State()
    tz = State()
    quiet = State()


PROMPTS = {
    SetOp.LEAD: "settings/lead_prompt",
    SetOp.TZ: "settings/tz_prompt",
    SetOp.QUIET: "settings/quiet_prompt",
}
FIELDS = {SetOp.LEAD: "lead_times", SetOp.TZ: "timezone", SetOp.QUIET: "quiet_hours"}
_CANCEL = own_buttons(SetCB, SetOp.CANCEL)
INPUT_PROMPTS = {
    SettingsForm.lead.state: Prompt("lead", _CANCEL),
    SettingsForm.tz.state: Prompt("tz", _CANCEL + own_buttons(SetCB, SetOp.SETTZ)),
    SettingsForm.quiet.state: Prompt("quiet", _CANCEL),
}


async def cmd_settings(
    message: Message, session: Session, user: UserInfo, defaults: Defaults
) -> None:
    out = settings_message(await get_prefs(session, user.id, defaults))
    await message.answer(out.text, reply_markup=out.keyboard)


async def cmd_forget(message: Message) -> None:
    out = forget_confirm_message()
    await message.answer(out.text, reply_markup=out.keyboard)


def _forgotten_message(done: Forgotten) -> OutMessage:
    return OutMessage(
        render(
            "settings/forgotten",
            questions=done.questions,
            consultations=len(done.consultations),
            subscriptions=done.subscriptions,
            reminders=done.reminders,
        )
    )


async def _mark_cards(bot: Bot, session: Session, settings: Settings, done: Forgotten) -> None:
    """Consultants' cards of the erased consultations say that the user erased their data
    (best effort: a card that cannot be edited keeps its old text, the bot still refuses)."""
    for consultation_id in done.consultations:
        try:
            view = await get_consultation(session, consultation_id)
            cards = await posts_of(session, consultation_id, "card")
            await edit_cards(bot, view, cards, settings.default_timezone)
        except Exception:  # the data is erased already; a card is cosmetics
            log.warning("card of consultation %s not marked erased", consultation_id, exc_info=True)


async def on_prompt(query: CallbackQuery, callback_data: SetCB, state: FSMContext) -> None:
    """«Сроки», «Часовой пояс», «Тихие часы»: ask for the value (the next text message)."""
    op = callback_data.op
    await state.set_state(getattr(SettingsForm, op))
    keyboard = timezone_keyboard() if op == SetOp.TZ else cancel_keyboard()
    if isinstance(query.message, Message):
        await query.message.answer(render(PROMPTS[op]), reply_markup=keyboard)


async def on_cancel(
    _query: CallbackQuery, state: FSMContext, callback_answer: CallbackAnswer
) -> None:
    await state.set_state(None)
    callback_answer.text = render("settings/cancelled")


async def on_forget(query: CallbackQuery) -> None:
    if isinstance(query.message, Message):
        out = forget_confirm_message()
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_forget_no(query: CallbackQuery) -> None:
    await edit_or_send(query, OutMessage(render("settings/forget_cancelled")))


async def on_forget_yes(
    query: CallbackQuery,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
    settings: Settings,
    callback_answer: Answer,
    question_log: QuestionLogWriter,
) -> None:
    await state.clear()
    await question_log.flush()  # a question asked a moment ago is forgotten too
    done = await forget_user(
        session,
        user.id,
        clock(),
        timezone=settings.default_timezone,
        region=settings.default_region,
    )
    await callback_answer.now()  # not after the consultants' cards below
    await edit_or_send(query, _forgotten_message(done))
    if query.bot is not None:
        await _mark_cards(query.bot, session, settings, done)


async def on_news(
    query: CallbackQuery, session: Session, user: UserInfo, clock: Clock, defaults: Defaults
) -> None:
    prefs = await get_prefs(session, user.id, defaults)
    prefs = await update_prefs(session, user.id, defaults, clock(), news=not prefs.news)
    await edit_or_send(query, settings_message(prefs, saved=True))


async def on_settz(
    query: CallbackQuery,
    callback_data: SetCB,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
    defaults: Defaults,
) -> None:
    prefs = await update_prefs(session, user.id, defaults, clock(), timezone=callback_data.v)
    await state.set_state(None)
    await edit_or_send(query, settings_message(prefs, saved=True))


async def on_settings_text(
    message: Message,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
    defaults: Defaults,
) -> None:
    current = await state.get_state()
    op = next(k for k in PROMPTS if getattr(SettingsForm, k).state == current)
    value = (message.text or "")[:MAX_INPUT]
    prefs = await update_prefs(
        session,
        user.id,
        defaults,
        clock(),
        **{FIELDS[op]: value},  # type: ignore[arg-type]
    )
    await state.set_state(None)
    out = settings_message(prefs, saved=True)
    await message.answer(out.text, reply_markup=out.keyboard)


def build_router() -> Router:
    router = Router(name="settings")
    router.message.filter(F.chat.type == "private")
    router.message.register(cmd_settings, Command("settings"))
    router.message.register(cmd_forget, Command("forget"))
    router.message.register(
        on_settings_text,
        F.text,
        ~F.text.startswith("/"),
        StateFilter(SettingsForm),
    )
    buttons = router.callback_query
    buttons.register(on_prompt, SetCB.filter(F.op.in_(PROMPTS)))
    buttons.register(on_cancel, SetCB.filter(F.op == SetOp.CANCEL))
    buttons.register(on_forget, SetCB.filter(F.op == SetOp.FORGET))
    buttons.register(on_forget_no, SetCB.filter(F.op == SetOp.FORGET_NO))
    buttons.register(on_forget_yes, SetCB.filter(F.op == SetOp.FORGET_YES))
    buttons.register(on_news, SetCB.filter(F.op == SetOp.NEWS))
    buttons.register(on_settz, SetCB.filter(F.op == SetOp.SETTZ))
    return router
