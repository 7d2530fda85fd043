"""Inline keyboards. Button labels live here; message texts live in templates."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.ui.callbacks import MenuCB

MENU_ITEMS: dict[str, str] = {
    "ask": "⚖️ Вопрос по закону",
    "find": "🔎 Найти закупку",
    "contracts": "📄 Мои контракты",
    "reminders": "⏰ Напоминания",
    "stats": "📊 Статистика",
    "consult": "🧑‍💼 Консультант",
}


def main_menu() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for key, label in MENU_ITEMS.items():
        builder.button(text=label, callback_data=MenuCB(item=key))
    builder.adjust(2)
    return builder.as_markup()
