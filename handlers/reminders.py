"""Subscriptions: «🔔» buttons on cards and searches, /reminders with pause, resume, delete."""

from __future__ import annotations

from typing import Literal

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.services import Clock, Session
from bot.services.errors import NotFound
from bot.services.reminders.prefs import Defaults
from bot.services.reminders.subscriptions import (
    delete_subscription,
    list_subscriptions,
    set_paused,
    subscribe,
    subscribe_search,
)
from bot.services.users import UserInfo
from bot.telegram.send import edit_or_send
from bot.ui.answers import OutMessage
from bot.ui.callbacks import FindCB, MenuCB, ProcCB, SubCB
from bot.ui.procurement import search_filters
from bot.ui.reminders import (
    LIST_PAGE,
    contracts_message,
    subscribed_message,
    subscriptions_message,
    toast,
)


async def _list(session: Session, user: UserInfo, page: int) -> OutMessage:
    items, total = await list_subscriptions(session, user.id, page, LIST_PAGE)
    if not items and page > 0:  # the last item of a page was deleted: show the page before
        page = max(0, -(-total // LIST_PAGE) - 1)
        items, total = await list_subscriptions(session, user.id, page, LIST_PAGE)
    return subscriptions_message(items, total, page, user.timezone)


async def cmd_reminders(message: Message, session: Session, user: UserInfo) -> None:
    out = await _list(session, user, 0)
    await message.answer(out.text, reply_markup=out.keyboard)


async def on_menu_reminders(query: CallbackQuery, session: Session, user: UserInfo) -> None:
    await query.answer()
    out = await _list(session, user, 0)
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_menu_contracts(query: CallbackQuery, session: Session, user: UserInfo) -> None:
    await query.answer()
    items, total = await list_subscriptions(session, user.id, 0, 10, kind="contract")
    out = contracts_message(items, total, user.timezone)
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_subscribe(
    query: CallbackQuery,
    callback_data: ProcCB,
    session: Session,
    user: UserInfo,
    clock: Clock,
    defaults: Defaults,
) -> None:
    kind: Literal["procedure", "contract"] = (
        "procedure" if callback_data.op == "sub" else "contract"
    )
    result = await subscribe(session, user.id, kind, callback_data.n, defaults, clock())
    await query.answer()
    out = subscribed_message(result, user.timezone)
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_save_search(
    query: CallbackQuery, session: Session, state: FSMContext, user: UserInfo, clock: Clock
) -> None:
    data = await state.get_data()
    words = str(data.get("find_words") or "")
    if not words:
        raise NotFound("Поиск устарел: отправьте /find и слова ещё раз.")
    result = await subscribe_search(
        session, user.id, words, search_filters(data, user.region), clock()
    )
    await query.answer()
    out = subscribed_message(result, user.timezone)
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_subscription_button(
    query: CallbackQuery,
    callback_data: SubCB,
    session: Session,
    user: UserInfo,
    clock: Clock,
    defaults: Defaults,
) -> None:
    op = callback_data.op
    note = ""
    if op in ("pause", "resume", "off"):
        view = await set_paused(
            session, user.id, callback_data.id, op != "resume", defaults, clock()
        )
        note = toast(op, view.target)
    elif op == "del":
        view = await delete_subscription(session, user.id, callback_data.id)
        note = toast(op, view.target)
    if op == "off":  # pressed under a reminder: keep that message, confirm in an alert
        await query.answer(note, show_alert=True)
        return
    await query.answer(note or None)
    await edit_or_send(query, await _list(session, user, max(callback_data.p, 0)))


def build_router() -> Router:
    router = Router(name="reminders")
    router.message.register(cmd_reminders, F.chat.type == "private", Command("reminders"))
    router.callback_query.register(on_menu_reminders, MenuCB.filter(F.item == "reminders"))
    router.callback_query.register(on_menu_contracts, MenuCB.filter(F.item == "contracts"))
    router.callback_query.register(on_subscribe, ProcCB.filter(F.op.in_({"sub", "csub"})))
    router.callback_query.register(on_save_search, FindCB.filter(F.op == "save"))
    router.callback_query.register(on_subscription_button, SubCB.filter())
    return router
