"""Registry numbers in messages show cards; /find searches procedures with filters."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.services import Clock, Session, Sessionmaker
from bot.services.amounts import parse_amount
from bot.services.errors import NotFound
from bot.services.procurement import (
    ProcedureCard,
    RegistryNumber,
    contracts_of_procedure,
    eis_url,
    find_by_number,
    find_contract,
    find_registry_number,
    get_procedure,
    looks_like_partial_number,
    search_procedures,
    similar_words,
)
from bot.services.sync import fetch_number
from bot.services.users import UserInfo
from bot.sources.base import Source
from bot.telegram.callbacks import PRE
from bot.telegram.prompts import Prompt, own_buttons
from bot.telegram.send import edit_or_send
from bot.ui.callbacks import FindCB, FindOp, MenuCB, MenuItem, ProcCB, ProcOp
from bot.ui.procurement import (
    PAGE_SIZE,
    contract_message,
    parse_price,
    price_keyboard,
    procedure_message,
    search_filters,
    search_message,
)
from bot.ui.render import render

log = logging.getLogger("smebot.procurement")
MAX_QUERY = 300
MAX_INPUT = 100


class FindForm(StatesGroup):
    price = State()  # «Цена до…»: a typed limit, or one of the buttons


INPUT_PROMPTS = {FindForm.price.state: Prompt("price", own_buttons(FindCB, FindOp.SETPRICE))}


async def number_in_message(message: Message) -> dict[str, Any] | bool:
    """Filter: the message carries a registry number, or mostly digits that are not one."""
    text = message.text or ""
    found = find_registry_number(text)
    if found is not None:
        return {"registry": found}
    partial = looks_like_partial_number(text)
    digits = sum(ch.isdigit() for ch in text)
    if partial and digits >= 0.6 * len(text.replace(" ", "")):
        return {"partial": partial}
    return False


async def _card_for(
    session: Session, digits: str, kinds: tuple[str, ...], now: datetime
) -> tuple[str, Any] | None:
    found = await find_by_number(session, RegistryNumber(digits, kinds), now)
    if found is None:
        return None
    return ("procedure" if isinstance(found, ProcedureCard) else "contract"), found


async def _fetch_from_eis(
    message: Message, eis: Source, sessionmaker: Sessionmaker, number: str, clock: Clock
) -> bool:
    """Ask the EIS for a number the database lacks; False when the service failed."""
    await message.answer(render("procurement/fetching", number=number))
    try:
        await fetch_number(sessionmaker, eis, number, clock)
    except Exception:
        log.warning("on-demand EIS fetch of %s failed", number, exc_info=True)
        return False
    return True


async def on_number(
    message: Message,
    session: Session,
    user: UserInfo,
    clock: Clock,
    sessionmaker: Sessionmaker,
    registry: RegistryNumber | None = None,
    partial: str | None = None,
    eis: Source | None = None,
) -> None:
    if registry is None:
        await message.answer(
            render("procurement/not_found", kind="partial", number=partial, url="")
        )
        return
    found = await _card_for(session, registry.digits, registry.kinds, clock())
    eis_failed = False
    if found is None and eis is not None:
        eis_failed = not await _fetch_from_eis(message, eis, sessionmaker, registry.digits, clock)
        if not eis_failed:
            await session.rollback()  # end the read snapshot: the import committed elsewhere
            found = await _card_for(session, registry.digits, registry.kinds, clock())
    if found is None:
        await message.answer(
            render(
                "procurement/not_found",
                kind="missing",
                number=registry.digits,
                url=eis_url(registry.digits, ""),
                eis_failed=eis_failed,
            )
        )
        return
    kind, card = found
    if kind == "procedure":
        contracts = await contracts_of_procedure(session, card.number)
        out = procedure_message(card, user.timezone, contracts=len(contracts))
    else:
        out = contract_message(card)
    await message.answer(out.text, reply_markup=out.keyboard)


# A new search starts without the filters chosen for the previous one.
NEW_SEARCH: dict[str, Any] = {
    "find_page": 0,
    "find_smp": False,
    "find_acc": False,
    "find_region": True,
    "find_price": None,
}
# filter buttons that flip a switch: FSM key and its value before the first press
TOGGLES: dict[FindOp, tuple[str, bool]] = {
    FindOp.SMP: ("find_smp", False),
    FindOp.ACC: ("find_acc", False),
    FindOp.REG: ("find_region", True),
}


async def _show_search(
    target: Message | CallbackQuery,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
) -> None:
    data = await state.get_data()
    words = str(data.get("find_words") or "")
    filters = search_filters(data, user.region)
    region = filters.region
    price = data.get("find_price") or None
    page = await search_procedures(
        session, words, filters, clock(), page=int(data.get("find_page") or 0), page_size=PAGE_SIZE
    )
    out = search_message(
        page,
        user.timezone,
        region=region,
        smp=filters.smp_only,
        price=price,
        accepting=filters.accepting_only,
    )
    if isinstance(target, CallbackQuery):
        await edit_or_send(target, out)
    else:
        await target.answer(out.text, reply_markup=out.keyboard)


async def cmd_find(
    message: Message,
    command: CommandObject,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
    sessionmaker: Sessionmaker,
    eis: Source | None = None,
) -> None:
    words = (command.args or "").strip()
    if len(words) > MAX_QUERY:  # cut at a word boundary, not inside a word
        words = words[: MAX_QUERY + 1].rsplit(maxsplit=1)[0]
    if not words:
        await message.answer(render("procurement/find_usage"))
        return
    registry = find_registry_number(words)
    if registry is not None and not any(ch.isalpha() for ch in words):
        # «/find 0374…»: a number typed after /find is looked up as a number
        await on_number(message, session, user, clock, sessionmaker, registry=registry, eis=eis)
        return
    await state.update_data(find_words=words, **NEW_SEARCH)
    await _show_search(message, session, state, user, clock)


async def _search_data(state: FSMContext) -> dict[str, Any]:
    data = await state.get_data()
    if not data.get("find_words"):
        raise NotFound("Поиск устарел: отправьте /find и слова ещё раз.")
    return data


async def on_find_price(query: CallbackQuery, state: FSMContext) -> None:
    await _search_data(state)
    await state.set_state(FindForm.price)
    if isinstance(query.message, Message):
        await query.message.answer(
            render("procurement/price_prompt"), reply_markup=price_keyboard()
        )


async def _update_search(
    query: CallbackQuery,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
    **updates: Any,
) -> None:
    await state.update_data({"find_page": 0, **updates})  # a changed filter: from page 0
    await _show_search(query, session, state, user, clock)


async def on_find_toggle(
    query: CallbackQuery,
    callback_data: FindCB,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
) -> None:
    """«Только СМП», «Приём заявок идёт», «Мой регион»: flip the filter, back to page 0."""
    data = await _search_data(state)
    key, default = TOGGLES[callback_data.op]
    await _update_search(query, session, state, user, clock, **{key: not data.get(key, default)})


async def on_find_setprice(
    query: CallbackQuery,
    callback_data: FindCB,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
) -> None:
    await _search_data(state)
    await state.set_state(None)
    price = callback_data.v if parse_price(callback_data.v) else None
    await _update_search(query, session, state, user, clock, find_price=price)


async def on_price_text(
    message: Message, session: Session, state: FSMContext, user: UserInfo, clock: Clock
) -> None:
    """A limit typed after «Цена до…»: «500 000», «500 тыс», «1,5 млн»."""
    price = parse_amount((message.text or "")[:MAX_INPUT])
    await _search_data(state)
    await state.set_state(None)
    await state.update_data(find_page=0, find_price=str(price))
    await _show_search(message, session, state, user, clock)


async def on_find_page(
    query: CallbackQuery,
    callback_data: FindCB,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
) -> None:
    await _search_data(state)
    page = int(callback_data.v) if callback_data.v.isdigit() else 0
    await _update_search(query, session, state, user, clock, find_page=page)


async def on_card(
    query: CallbackQuery, callback_data: ProcCB, session: Session, user: UserInfo, clock: Clock
) -> None:
    out = procedure_message(await get_procedure(session, callback_data.n, clock()), user.timezone)
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_contract_card(
    query: CallbackQuery, callback_data: ProcCB, session: Session, clock: Clock
) -> None:
    out = contract_message(await find_contract(session, callback_data.n, clock().date()))
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_similar(
    query: CallbackQuery,
    callback_data: ProcCB,
    session: Session,
    state: FSMContext,
    user: UserInfo,
    clock: Clock,
) -> None:
    words = await similar_words(session, callback_data.n)
    await state.update_data(find_words=words, **NEW_SEARCH)
    if isinstance(query.message, Message):
        await _show_search(query.message, session, state, user, clock)


async def on_menu_find(query: CallbackQuery) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(render("procurement/find_usage"))


def build_router() -> Router:
    router = Router(name="procurement")
    router.message.register(cmd_find, F.chat.type == "private", Command("find"))
    router.message.register(
        on_price_text,
        F.chat.type == "private",
        F.text,
        ~F.text.startswith("/"),
        StateFilter(FindForm.price),
    )
    router.message.register(
        on_number, F.chat.type == "private", F.text, ~F.text.startswith("/"), number_in_message
    )
    # «🔔» buttons (FindOp.SAVE, ProcOp.SUB / CSUB) belong to handlers/reminders.py
    router.callback_query.register(on_find_price, FindCB.filter(F.op == FindOp.PRICE))
    router.callback_query.register(on_find_toggle, FindCB.filter(F.op.in_(TOGGLES)))
    router.callback_query.register(on_find_setprice, FindCB.filter(F.op == FindOp.SETPRICE))
    router.callback_query.register(on_find_page, FindCB.filter(F.op == FindOp.PAGE))
    router.callback_query.register(on_card, ProcCB.filter(F.op == ProcOp.CARD))
    router.callback_query.register(on_contract_card, ProcCB.filter(F.op == ProcOp.CCARD))
    router.callback_query.register(on_similar, ProcCB.filter(F.op == ProcOp.SIM))
    router.callback_query.register(on_menu_find, MenuCB.filter(F.item == MenuItem.FIND), flags=PRE)
    return router
