"""A message that tells its story before it asks (issue 14): the question proper picks the
article among the few the whole story found neck and neck."""

from __future__ import annotations

import dataclasses
from functools import cache

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.services.answers import KnowledgeBase
from knowledge.decision import SUGGEST

STORY = (
    "Итоги аукциона подвели вчера, победителем признали фирму, у которой, как мы знаем, нет "
    "лицензии. Хотим жаловаться. Сколько дней у нас на подачу жалобы на итоги?"
)


@cache
def _without_phrasings() -> KnowledgeBase:
    shipped = KnowledgeBase.from_dir(DEFAULT_KNOWLEDGE_DIR)
    articles = [dataclasses.replace(a, phrasings=()) for a in shipped.articles.values()]
    return KnowledgeBase(articles, shipped.glossary)


@pytest.fixture
def bare() -> KnowledgeBase:
    """The articles without their phrasings, which now answer the story below outright:
    the mechanism is shown where the story alone leaves it neck and neck."""
    return _without_phrasings()


def test_the_story_is_answered_with_its_rule(kb: KnowledgeBase) -> None:
    answer = kb.ask(STORY)
    assert answer.outcome == "answer" and answer.article is not None
    assert answer.article.id == "protection-complaint-deadlines-44"


def test_the_question_proper_picks_among_the_storys_leading_articles(
    bare: KnowledgeBase,
) -> None:
    kb = bare
    whole = kb.index._search(STORY)
    # the story alone: its leaders are neck and neck, no answer
    assert not whole.confident
    leaders = [h.article.id for h in whole.hits[:3]]
    assert "protection-complaint-deadlines-44" in leaders
    result = kb.index.search(STORY)
    # the question proper alone answers with one of them: the two readings agree
    assert result.agreed and result.confident and result.best is not None
    assert result.best.article.id == "protection-complaint-deadlines-44"
    answer = kb.ask(STORY)
    assert answer.outcome == "answer" and answer.article is not None
    assert answer.article.id == "protection-complaint-deadlines-44"


def test_the_question_proper_does_not_pick_an_article_the_story_did_not_offer(
    kb: KnowledgeBase,
) -> None:
    # «сколько с нас сдерут за опоздание» alone finds an article the whole story scores far
    # below a suggestion: the story stays declined rather than answered with it
    question = (
        "мы привезли столы и стулья в школу на три дня позже, сколько с нас сдерут за опоздание"
    )
    whole = kb.index._search(question)
    assert not whole.confident and all(h.confidence < SUGGEST for h in whole.hits)
    assert not kb.index.search(question).confident
    assert kb.ask(question).outcome == "none"
