"""/faq: browse the knowledge base by section, with pagination."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.services.answers import KnowledgeBase
from bot.telegram.send import edit_or_send
from bot.ui.answers import faq_section, faq_sections
from bot.ui.callbacks import FaqCB


async def cmd_faq(message: Message, kb: KnowledgeBase) -> None:
    out = faq_sections(kb.sections())
    await message.answer(out.text, reply_markup=out.keyboard)


async def on_faq(query: CallbackQuery, callback_data: FaqCB, kb: KnowledgeBase) -> None:
    if not callback_data.s:
        out = faq_sections(kb.sections())
    else:
        refs = kb.section_articles(callback_data.s)
        title = next(t for k, t, _ in kb.sections() if k == callback_data.s)
        out = faq_section(title, callback_data.s, refs, callback_data.p)
    await edit_or_send(query, out)


def build_router() -> Router:
    router = Router(name="faq")
    router.message.register(cmd_faq, F.chat.type == "private", Command("faq"))
    router.callback_query.register(on_faq, FaqCB.filter())
    return router
