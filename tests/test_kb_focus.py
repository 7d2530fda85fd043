"""A message that tells its story before it asks (issue 14): the question proper picks the
article among the few the whole story found neck and neck."""

from __future__ import annotations

import dataclasses
from functools import cache

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.services.answers import KnowledgeBase
from knowledge.decision import SUGGEST, Hit, SearchResult

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


# Written for this test, not taken from an eval set: the acceptance-term article leads the
# story (the signed acceptance document), the question asks when the customer must pay.
PAID_LATE = (
    "Мы небольшая типография, напечатали брошюры для школы по контракту. Документ о приёмке "
    "заказчик подписал ещё в начале месяца. В какой срок заказчик обязан заплатить?"
)


def test_the_question_proper_reorders_the_storys_leading_articles(kb: KnowledgeBase) -> None:
    whole = kb.index._search(PAID_LATE)
    assert whole.best is not None
    assert whole.best.article.id == "execution-acceptance-term-44"
    result = kb.index.search(PAID_LATE)
    assert result.best is not None
    assert result.best.article.id == "execution-payment-term-44"
    # the places keep their scores: the new leader has the story leader's score, and the
    # confidence it had in the story's own order is kept beside it
    assert [h.score for h in result.hits[:3]] == [h.score for h in whole.hits[:3]]
    assert result.moved["execution-payment-term-44"] == whole.hits[1].confidence


def test_a_single_sentence_is_not_reordered(kb: KnowledgeBase) -> None:
    # one sentence: its asking clause is the question proper, but there is no story to reorder
    question = "заказчик подписал документ о приёмке, сколько дней у него на оплату"
    assert kb.index.search(question).moved == {}


@pytest.mark.parametrize(("offered", "picked"), [(SUGGEST - 0.1, False), (SUGGEST + 0.01, True)])
def test_an_article_moved_up_is_picked_only_if_the_story_offered_it(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, offered: float, picked: bool
) -> None:
    # The question proper («как организовать у себя торги»), read alone, answers outright with
    # the article it moved to the story's lead (FOCUS_RANK); the story itself had offered that
    # article with `offered` confidence. Below SUGGEST it is not picked: the story stays
    # undecided (a firm's own purchasing reads like an e-auction without being one). The
    # readings are set here: real stories that show it drift with every phrasing added.
    story = (
        "Мы сеть из двух кафе в Миассе. Хотим выбрать поставщика овощей по лучшей цене — как "
        "организовать у себя торги между фермерами?"
    )
    # any two articles: what is tested is the rule, not the shipped base's scores
    moved_up = kb.index.docs[0].article
    other = kb.index.docs[1].article
    told = SearchResult(
        story,
        (Hit(moved_up, 10.0, 0.45), Hit(other, 9.0, 0.42)),
        ("аукцион",),
        (),
        False,
        moved={moved_up.id: offered},
    )
    alone = SearchResult(
        "как организовать у себя торги", (Hit(moved_up, 12.0, 0.9),), ("#аукцион",), (), False
    )
    assert not told.confident and alone.confident

    def reading(query: str, *_args: object) -> SearchResult:
        return told if query == story else alone

    monkeypatch.setattr(kb.index, "_search", reading)
    result = kb.index.search(story)
    assert result.agreed is picked
    assert result.best is not None and result.best.article.id == moved_up.id
