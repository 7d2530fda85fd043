"""Subscriptions: «🔔» buttons on cards and searches, /reminders with pause, resume, delete."""

from __future__ import annotations

from typing import Literal

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

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
from bot.telegram.callbacks import PRE
from bot.telegram.send import edit_or_send
from bot.ui.answers import OutMessage
from bot.ui.callbacks import FindCB, FindOp, MenuCB, MenuItem, ProcCB, ProcOp, SubCB, SubOp
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
    out = await _list(session, user, 0)
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_menu_contracts(query: CallbackQuery, session: Session, user: UserInfo) -> None:
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
        "procedure" if callback_data.op == ProcOp.SUB else "contract"
    )
    result = await subscribe(session, user.id, kind, callback_data.n, defaults, clock())
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
    out = subscribed_message(result, user.timezone)
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_pause_or_resume(
    query: CallbackQuery,
    callback_data: SubCB,
    session: Session,
    user: UserInfo,
    clock: Clock,
    defaults: Defaults,
    callback_answer: CallbackAnswer,
) -> None:
    op = callback_data.op
    view = await set_paused(
        session, user.id, callback_data.id, op == SubOp.PAUSE, defaults, clock()
    )
    callback_answer.text = toast(op, view.target)
    await edit_or_send(query, await _list(session, user, callback_data.p))


async def on_delete(
    query: CallbackQuery,
    callback_data: SubCB,
    session: Session,
    user: UserInfo,
    callback_answer: CallbackAnswer,
) -> None:
    view = await delete_subscription(session, user.id, callback_data.id)
    callback_answer.text = toast(SubOp.DEL, view.target)
    await edit_or_send(query, await _list(session, user, callback_data.p))


async def on_off(
    _query: CallbackQuery,
    callback_data: SubCB,
    session: Session,
    user: UserInfo,
    clock: Clock,
    defaults: Defaults,
    callback_answer: CallbackAnswer,
) -> None:
    """«Не напоминать» under a reminder: keep that message, confirm in an alert."""
    view = await set_paused(session, user.id, callback_data.id, True, defaults, clock())
    callback_answer.text, callback_answer.show_alert = toast(SubOp.OFF, view.target), True


async def on_page(
    query: CallbackQuery, callback_data: SubCB, session: Session, user: UserInfo
) -> None:
    await edit_or_send(query, await _list(session, user, callback_data.p))


def build_router() -> Router:
    router = Router(name="reminders")
    router.message.register(cmd_reminders, F.chat.type == "private", Command("reminders"))
    buttons = router.callback_query
    buttons.register(on_menu_reminders, MenuCB.filter(F.item == MenuItem.REMINDERS), flags=PRE)
    buttons.register(on_menu_contracts, MenuCB.filter(F.item == MenuItem.CONTRACTS), flags=PRE)
    buttons.register(on_subscribe, ProcCB.filter(F.op.in_({ProcOp.SUB, ProcOp.CSUB})))
    buttons.register(on_save_search, FindCB.filter(F.op == FindOp.SAVE))
    buttons.register(on_pause_or_resume, SubCB.filter(F.op.in_({SubOp.PAUSE, SubOp.RESUME})))
    buttons.register(on_delete, SubCB.filter(F.op == SubOp.DEL))
    buttons.register(on_off, SubCB.filter(F.op == SubOp.OFF))
    buttons.register(on_page, SubCB.filter(F.op == SubOp.PAGE))
    return router
