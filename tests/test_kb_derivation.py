"""A verb in a question matches its deverbal noun in the articles and the other way round
(knowledge.derivation): «площадка вернула заявку» finds «возврат заявки»."""

from __future__ import annotations

from bot.services.answers import KnowledgeBase
from knowledge.derivation import candidates, derivations, nouns_of
from knowledge.loader import Article
from knowledge.search import SearchIndex
from tests.factories import article


def _article(id_: str, title: str, body: str) -> Article:
    return article(id_, title, body)


def test_rules_derive_the_nouns_of_a_verb() -> None:
    assert "обжалование" in candidates("обжаловать")
    assert "снижение" in candidates("снизить")  # з -> ж
    assert "возвращение" in candidates("возвратить")  # т -> щ
    assert "расторжение" in candidates("расторгнуть")
    assert "принятие" in candidates("принять")
    assert "отказ" in candidates("отказать")
    assert "возврат" in candidates("вернуть")  # another root: the table


def test_only_nouns_the_vocabulary_has_are_kept() -> None:
    vocabulary = {"возврат", "заявка", "снижение", "сделка"}
    assert nouns_of("вернуть", vocabulary) == ("возврат",)
    assert nouns_of("снизить", vocabulary) == ("снижение",)
    assert nouns_of("сделать", vocabulary) == ()  # a false friend, not a derivation
    assert nouns_of("заявка", vocabulary) == ()  # not a verb
    related = derivations({"вернуть", "возврат", "подписаться", "подписание"})
    assert related["вернуть"] == ("возврат",) and related["возврат"] == ("вернуть",)
    assert "подписаться" not in related  # a reflexive verb means another thing


def test_a_verb_in_the_question_finds_the_noun_of_the_article() -> None:
    articles = [
        _article(
            "return", "Возврат заявки оператором", "Оператор площадки производит возврат заявки."
        ),
        _article("withdraw", "Отзыв заявки участником", "Участник может отозвать заявку до срока."),
    ]
    index = SearchIndex(articles, semantic=False)
    parts = index.parse_query("площадка вернула заявку")
    assert parts.related.get("вернуть") == ("возврат",)
    hits = index.search("площадка вернула заявку").hits
    assert hits and hits[0].article.id == "return"


def test_the_base_joins_verbs_and_nouns(kb: KnowledgeBase) -> None:
    related = kb.index.related
    assert "возврат" in related["вернуть"]
    assert "вернуть" in related["возврат"]
    parts = kb.index.parse_query("заказчик отказался принимать работу")
    assert {"приемка", "принятие"} <= set(parts.related["принимать"])
