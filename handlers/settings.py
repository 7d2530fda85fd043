"""/settings: lead times, time zone, quiet hours and the legislative-news switch."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.services import Clock, Session
from bot.services.reminders import Defaults, get_prefs, update_prefs
from bot.services.users import UserInfo
from bot.ui.callbacks import SetCB
from bot.ui.reminders import cancel_keyboard, settings_message, timezone_keyboard
from bot.ui.render import render
from bot.ui.telegram import edit_or_send

MAX_INPUT = 100


class SettingsForm(StatesGroup):
    lead = State()
    tz = State()
    quiet = State()


PROMPTS = {
    "lead": "settings/lead_prompt",
    "tz": "settings/tz_prompt",
    "quiet": "settings/quiet_prompt",
}
FIELDS = {"lead": "lead_times", "tz": "timezone", "quiet": "quiet_hours"}


async def cmd_settings(
    message: Message, session: Session, user: UserInfo, defaults: Defaults
) -> None:
    out = settings_message(await get_prefs(session, user.id, defaults))
    await message.answer(out.text, reply_markup=out.keyboard)


async def on_settings_button(
    query: CallbackQuery,
    callback_data: SetCB,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
    defaults: Defaults,
) -> None:
    op = callback_data.op
    message = query.message if isinstance(query.message, Message) else None
    if op in PROMPTS:
        await state.set_state(getattr(SettingsForm, op))
        await query.answer()
        keyboard = timezone_keyboard() if op == "tz" else cancel_keyboard()
        if message is not None:
            await message.answer(render(PROMPTS[op]), reply_markup=keyboard)
        return
    if op == "cancel":
        await state.set_state(None)
        await query.answer(render("settings/cancelled"))
        return
    if op == "news":
        prefs = await get_prefs(session, user.id, defaults)
        prefs = await update_prefs(session, user.id, defaults, clock(), news=not prefs.news)
    elif op == "settz":
        prefs = await update_prefs(session, user.id, defaults, clock(), timezone=callback_data.v)
        await state.set_state(None)
    else:
        await query.answer(render("common/stale_button"), show_alert=True)
        return
    await query.answer()
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
    router.message.register(
        on_settings_text,
        F.text,
        ~F.text.startswith("/"),
        StateFilter(SettingsForm),
    )
    router.callback_query.register(on_settings_button, SetCB.filter())
    return router
