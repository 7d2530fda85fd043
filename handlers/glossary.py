"""/glossary ТЕРМИН: abbreviations and terms explained."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.services.answers import KnowledgeBase
from bot.ui.glossary import shown_synonyms
from bot.ui.render import render


async def cmd_glossary(message: Message, command: CommandObject, kb: KnowledgeBase) -> None:
    query = (command.args or "").strip()[:100]
    if not query:
        await message.answer(render("glossary/usage", terms=[t.term for t in kb.glossary.terms]))
        return
    term = kb.term(query)
    if term is None:
        suggestions = [t.term for t in kb.glossary.suggestions(query)]
        await message.answer(render("glossary/not_found", query=query, suggestions=suggestions))
        return
    await message.answer(render("glossary/term", term=term, synonyms=shown_synonyms(term)))


def build_router() -> Router:
    router = Router(name="glossary")
    router.message.register(cmd_glossary, F.chat.type == "private", Command("glossary"))
    return router
