"""Typed, versioned callback data (≤ 64 bytes; never free text)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MenuCB(CallbackData, prefix="m1"):
    """Main menu buttons; `item` is one of MENU_ITEMS keys."""

    item: str
