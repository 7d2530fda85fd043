"""Inline mode: `@bot запрос` in any chat returns matching articles."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
)

from bot.services.answers import KnowledgeBase
from bot.ui.render import render

MAX_RESULTS = 10


async def on_inline(query: InlineQuery, kb: KnowledgeBase) -> None:
    results: list[InlineQueryResultUnion] = []
    for ref in kb.search_refs(query.query[:300], limit=MAX_RESULTS):
        view = kb.view(ref.id)
        text = render("qa/inline_article", article=view, chunk=view.chunks[0])
        results.append(
            InlineQueryResultArticle(
                id=ref.id,
                title=ref.title,
                description=view.section_title,
                input_message_content=InputTextMessageContent(message_text=text, parse_mode="HTML"),
            )
        )
    await query.answer(results, cache_time=60, is_personal=False)


def build_router() -> Router:
    router = Router(name="inline")
    router.inline_query.register(on_inline)
    return router
