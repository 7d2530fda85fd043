"""Procedure and contract cards, search results and their keyboards."""

from __future__ import annotations

from decimal import Decimal

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.procurement import (
    STATUS_WORDS,
    ContractCard,
    ContractList,
    ProcedureCard,
    SearchFilters,
    SearchPage,
)
from bot.services.reminders.targets import contract_ending, procedure_ending
from bot.ui.answers import CONSULT_LABEL, OutMessage
from bot.ui.callbacks import (
    AboutOp,
    AskAboutCB,
    FindCB,
    FindOp,
    ProcCB,
    ProcOp,
    consult_data,
)
from bot.ui.cards import contract_text, procedure_text
from bot.ui.render import render

PRICE_STEPS = ("500000", "1000000", "3000000", "10000000", "50000000")
PAGE_SIZE = 5


def _fits(data: str) -> bool:
    return len(data.encode()) <= 64


def procedure_message(card: ProcedureCard, tz: str, contracts: int = 0) -> OutMessage:
    """The notice's card; with `contracts` concluded on it, a button opens the contract (or
    the list «контракты по закупке» when there are several)."""
    text = procedure_text(card, tz)
    builder = InlineKeyboardBuilder()
    buttons = [(ProcOp.SUB, "🔔 Напоминать о сроках"), (ProcOp.SIM, "🔎 Похожие")]
    if procedure_ending(card.status) is not None:  # cancelled or finished: nothing ahead
        buttons.pop(0)
    first = 0
    for op, label in buttons:
        data = ProcCB(op=op, n=card.number).pack()
        if _fits(data):
            builder.button(text=label, callback_data=data)
            first += 1
    rows = [first] if first else []
    data = ProcCB(op=ProcOp.CCARD, n=card.number).pack()
    if contracts and _fits(data):
        label = "📄 Контракт" if contracts == 1 else f"📄 Контракты по закупке ({contracts})"
        builder.button(text=label, callback_data=data)
        rows.append(1)
    about = AskAboutCB(op=AboutOp.PROCEDURE, n=card.number)
    builder.button(text="🧑‍💼 Вопрос консультанту", callback_data=consult_data(about))
    builder.button(text="🌐 Открыть в ЕИС", url=card.url)
    builder.adjust(*rows, 1, 1)
    return OutMessage(text, builder.as_markup())


def contract_message(card: ContractCard | ContractList) -> OutMessage:
    builder = InlineKeyboardBuilder()
    if isinstance(card, ContractList):  # «контракты по закупке …»: a button per contract
        for item in card.items[:10]:
            data = ProcCB(op=ProcOp.CCARD, n=item.number).pack()
            if _fits(data):
                builder.button(text=f"📄 № {item.number}", callback_data=data)
        builder.adjust(1)
        return OutMessage(contract_text(card), builder.as_markup())
    data = ProcCB(op=ProcOp.CSUB, n=card.number).pack()
    if _fits(data) and contract_ending(card) is None:  # executed or terminated: hidden
        builder.button(text="🔔 Напоминать о сроках", callback_data=data)
    about = AskAboutCB(op=AboutOp.CONTRACT, n=card.number)
    builder.button(text=CONSULT_LABEL, callback_data=consult_data(about))
    builder.button(text="🌐 Открыть в ЕИС", url=card.url)
    builder.adjust(1)
    return OutMessage(contract_text(card), builder.as_markup())


def filters_text(region: str | None, smp: bool, price: str | None, accepting: bool) -> str:
    parts = [f"регион {region}" if region else "вся Россия"]
    if smp:
        parts.append("только СМП")
    if price:
        parts.append(f"до {int(price):,} ₽".replace(",", "\u202f"))
    if accepting:
        parts.append("приём заявок идёт")
    return ", ".join(parts)


def search_message(
    page: SearchPage, tz: str, *, region: str | None, smp: bool, price: str | None, accepting: bool
) -> OutMessage:
    text = render(
        "procurement/search",
        page=page,
        tz=tz,
        page_size=PAGE_SIZE,
        status_words=STATUS_WORDS,
        filters_text=filters_text(region, smp, price, accepting),
    )
    return OutMessage(
        text, search_keyboard(page, region=region, smp=smp, price=price, accepting=accepting)
    )


def search_keyboard(
    page: SearchPage, *, region: str | None, smp: bool, price: str | None, accepting: bool
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in page.items:
        builder.button(
            text=f"📄 {item.number}", callback_data=ProcCB(op=ProcOp.CARD, n=item.number)
        )
    mark = {True: "✅", False: "▫️"}
    builder.button(
        text=f"{mark[region is not None]} Мой регион", callback_data=FindCB(op=FindOp.REG)
    )
    builder.button(text=f"{mark[smp]} Только СМП", callback_data=FindCB(op=FindOp.SMP))
    builder.button(
        text=f"{mark[price is not None]} Цена до…", callback_data=FindCB(op=FindOp.PRICE)
    )
    builder.button(text=f"{mark[accepting]} Приём заявок идёт", callback_data=FindCB(op=FindOp.ACC))
    builder.button(text="🔔 Сообщать о новых", callback_data=FindCB(op=FindOp.SAVE))
    nav = 0
    if page.page > 0:
        builder.button(text="◀️", callback_data=FindCB(op=FindOp.PAGE, v=str(page.page - 1)))
        nav += 1
    if page.page < page.pages - 1:
        builder.button(text="▶️", callback_data=FindCB(op=FindOp.PAGE, v=str(page.page + 1)))
        nav += 1
    builder.adjust(*([1] * len(page.items)), 2, 2, 1, *([nav] if nav else []))
    return builder.as_markup()


def price_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for step in PRICE_STEPS:
        label = f"до {int(step):,} ₽".replace(",", "\u202f")
        builder.button(text=label, callback_data=FindCB(op=FindOp.SETPRICE, v=step))
    builder.button(text="Без ограничения", callback_data=FindCB(op=FindOp.SETPRICE, v=""))
    builder.adjust(2)
    return builder.as_markup()


def search_filters(data: dict[str, object], user_region: str) -> SearchFilters:
    """The /find filters kept in FSM data (the words stay there too, never in buttons)."""
    price = str(data.get("find_price") or "")
    return SearchFilters(
        region=user_region if data.get("find_region", True) else None,
        smp_only=bool(data.get("find_smp")),
        max_price=Decimal(price) if price.isdigit() else None,
        accepting_only=bool(data.get("find_acc")),
    )


def parse_price(value: str) -> Decimal | None:
    return Decimal(value) if value in PRICE_STEPS else None
