"""Whatever no feature took: unknown commands, stickers, photos, stale buttons, groups."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.ui.render import render


async def group_command(message: Message) -> None:
    me = await message.bot.me() if message.bot else None
    await message.reply(render("common/group_hint", username=me.username if me else "smebot"))


async def group_other(message: Message) -> None:
    """Ordinary group chatter is not for us; stay quiet."""


async def unknown_command(message: Message) -> None:
    command = (message.text or "").split(maxsplit=1)[0][:64]
    await message.answer(render("common/unknown_command", command=command))


async def unsupported(message: Message) -> None:
    kind = next(
        (k for k in ("sticker", "photo", "voice", "document") if getattr(message, k, None)),
        "other",
    )
    await message.answer(render("common/unsupported_content", kind=kind))


async def stale_button(_query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    callback_answer.text, callback_answer.show_alert = render("common/stale_button"), False


def build_router() -> Router:
    router = Router(name="fallback")
    router.message.register(group_command, F.chat.type != "private", F.text.startswith("/"))
    router.message.register(group_other, F.chat.type != "private")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(unsupported)
    router.callback_query.register(stale_button)
    return router
