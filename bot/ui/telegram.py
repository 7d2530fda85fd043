"""Small helpers over aiogram calls shared by handlers."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from bot.ui.answers import OutMessage


async def send_all(message: Message, outs: list[OutMessage]) -> None:
    """Send messages in order (long answers are several)."""
    for out in outs:
        await message.answer(out.text, reply_markup=out.keyboard)


async def edit_or_send(query: CallbackQuery, out: OutMessage) -> None:
    """Edit the message the button belongs to; an identical edit is not an error."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(out.text, reply_markup=out.keyboard)
        except TelegramBadRequest as exc:
            if "message is not modified" in str(exc):
                return
            if "message to edit not found" not in str(exc) and "can't be edited" not in str(exc):
                raise
        else:
            return
        await message.answer(out.text, reply_markup=out.keyboard)
    elif query.from_user is not None and query.bot is not None:
        await query.bot.send_message(query.from_user.id, out.text, reply_markup=out.keyboard)
