"""Sending and editing: the small helpers over aiogram calls shared by handlers and flows."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message, ReplyParameters

from bot.services.consultations import Attachment
from bot.telegram.errors import ErrorKind, classify
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
            kind = classify(exc)
            if kind is ErrorKind.NOT_MODIFIED:
                return
            if kind is not ErrorKind.GONE:
                raise
        else:
            return
        await message.answer(out.text, reply_markup=out.keyboard)
    elif query.from_user is not None and query.bot is not None:
        await query.bot.send_message(query.from_user.id, out.text, reply_markup=out.keyboard)


async def reply_in_chat(query: CallbackQuery, bot: Bot, out: OutMessage) -> None:
    """A new message under the button's message, or privately when that one is inaccessible."""
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)
    elif query.from_user is not None:
        await bot.send_message(query.from_user.id, out.text, reply_markup=out.keyboard)


def _reply(reply_to: int | None) -> ReplyParameters | None:
    if not reply_to:
        return None
    return ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)


async def send(
    bot: Bot,
    chat_id: int,
    out: OutMessage,
    *,
    thread_id: int | None = None,
    reply_to: int | None = None,
) -> Message:
    """One message to a chat, in a forum topic and as a reply when asked."""
    return await bot.send_message(
        chat_id,
        out.text,
        reply_markup=out.keyboard,
        message_thread_id=thread_id,
        reply_parameters=_reply(reply_to),
    )


async def send_file(
    bot: Bot,
    chat_id: int,
    attachment: Attachment,
    caption: str,
    *,
    thread_id: int | None = None,
    reply_to: int | None = None,
) -> Message:
    """A file received earlier (by its file id) sent on with `caption`."""
    where: dict[str, Any] = {"message_thread_id": thread_id, "reply_parameters": _reply(reply_to)}
    kind, file_id = attachment.kind, attachment.file_id
    if kind == "photo":
        return await bot.send_photo(chat_id, file_id, caption=caption, **where)
    if kind == "voice":
        return await bot.send_voice(chat_id, file_id, caption=caption, **where)
    if kind == "video":
        return await bot.send_video(chat_id, file_id, caption=caption, **where)
    if kind == "audio":
        return await bot.send_audio(chat_id, file_id, caption=caption, **where)
    if kind == "video_note":  # a round video has no caption: the caption goes first
        await bot.send_message(chat_id, caption, **where)
        return await bot.send_video_note(chat_id, file_id, **where)
    return await bot.send_document(chat_id, file_id, caption=caption, **where)
