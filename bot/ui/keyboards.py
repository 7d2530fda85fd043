"""Inline keyboards. Button labels live here; message texts live in templates."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.ui.callbacks import MenuCB, MenuItem

MENU_ITEMS: dict[MenuItem, str] = {
    MenuItem.ASK: "⚖️ Вопрос по закону",
    MenuItem.FIND: "🔎 Найти закупку",
    MenuItem.CONTRACTS: "📄 Мои контракты",
    MenuItem.REMINDERS: "⏰ Напоминания",
    MenuItem.STATS: "📊 Статистика",
    MenuItem.CONSULT: "🧑‍💼 Консультант",
}


def main_menu() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for key, label in MENU_ITEMS.items():
        builder.button(text=label, callback_data=MenuCB(item=key))
    builder.adjust(2)
    return builder.as_markup()
