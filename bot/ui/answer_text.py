"""Texts of knowledge-base answers without keyboards: the chat adds its buttons, `smebot ask`
prints them. No aiogram here (and the card texts in bot/ui/cards.py do not load the search)."""

from __future__ import annotations

from functools import lru_cache

from bot.services.answers import MAX_QUESTION, Answer, ArticleView, small_talk_kind
from bot.ui.glossary import shown_synonyms
from bot.ui.render import render


def article_texts(view: ArticleView) -> list[str]:
    """An article split into message texts (the chat adds its buttons under the last one)."""
    return list(_article_texts(view))


@lru_cache(maxsize=512)
def _article_texts(view: ArticleView) -> tuple[str, ...]:
    """The texts depend on the view alone (a frozen value: an edited article is another
    view), so each is rendered once while it is asked about."""
    n = len(view.chunks)
    return tuple(
        render("qa/answer", article=view, chunk=chunk, first=i == 0, last=i == n - 1)
        for i, chunk in enumerate(view.chunks)
    )


def answer_texts(answer: Answer) -> list[str]:
    """What the user reads of an answer, without buttons: the chat and `smebot ask` alike."""
    if answer.outcome == "answer" and answer.article is not None:
        return article_texts(answer.article)
    if answer.outcome == "definition" and answer.term is not None:
        synonyms = shown_synonyms(answer.term)
        return [
            render("qa/definition", term=answer.term, synonyms=synonyms, more=answer.alternatives)
        ]
    if answer.outcome == "suggest":
        return [render("qa/suggest", suggestions=answer.alternatives, vague=answer.vague)]
    if answer.outcome == "small_talk":
        return [render("qa/small_talk", kind=small_talk_kind(answer.question) or "hello")]
    if answer.outcome == "empty":
        return [render("qa/empty")]
    if answer.outcome == "too_long":
        length = len(answer.question)
        return [render("common/too_long", length=length, limit=MAX_QUESTION, consult=False)]
    return [render("qa/none", outcome=answer.outcome)]
