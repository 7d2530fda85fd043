"""Inline mode: `@bot запрос` in any chat returns matching articles; a registry number returns
the card of its notice or contract (by any number a contract is known by)."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
)

from bot.services import Clock, Session
from bot.services.answers import KnowledgeBase
from bot.services.procurement import (
    ContractCard,
    ProcedureCard,
    find_by_number,
    find_registry_number,
)
from bot.services.users import UserInfo
from bot.ui.cards import contract_text, procedure_text
from bot.ui.render import render

MAX_RESULTS = 10
DEFAULT_TZ = "Asia/Yekaterinburg"


async def _number_result(
    query: InlineQuery, session: Session, clock: Clock, tz: str
) -> InlineQueryResultArticle | None:
    registry = find_registry_number(query.query[:300])
    if registry is None:
        return None
    found = await find_by_number(session, registry, clock())
    if found is None:
        return None
    if isinstance(found, ProcedureCard):
        text, title = (
            procedure_text(found, tz),
            render("procurement/inline_title", kind="procedure", number=found.number),
        )
        description = found.title
    elif isinstance(found, ContractCard):
        text, title = (
            contract_text(found),
            render("procurement/inline_title", kind="contract", number=found.number),
        )
        description = found.status_words
    else:
        text = contract_text(found)
        title = render("procurement/inline_title", kind="contracts", number=found.procedure_number)
        description = ""
    return InlineQueryResultArticle(
        id=f"n{registry.digits}",
        title=title,
        description=description[:200] or None,
        input_message_content=InputTextMessageContent(message_text=text, parse_mode="HTML"),
    )


async def on_inline(
    query: InlineQuery,
    kb: KnowledgeBase,
    session: Session,
    clock: Clock,
    user: UserInfo | None = None,
) -> None:
    results: list[InlineQueryResultUnion] = []
    tz = user.timezone if user is not None else DEFAULT_TZ
    card = await _number_result(query, session, clock, tz)
    if card is not None:
        results.append(card)
    for ref in kb.search_refs(query.query[:300], limit=MAX_RESULTS - len(results)):
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
