"""The article classifier (knowledge.classifier): its fast reading equals scikit-learn's own,
it tells articles apart by their phrasings, and its agreement with the leader turns a choice
into an answer (knowledge.decision.AGREE)."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import hstack

import knowledge.classifier as classifier
from bot.services.answers import KnowledgeBase
from knowledge.classifier import ArticleClassifier, classifier_for, fit
from knowledge.decision import AGREE, OUTSIDE, SUGGEST, SURE, Hit, SearchResult
from tests.factories import article

ARTICLES = [
    article(
        "security-bid",
        "Обеспечение заявки",
        "## Размер\nОбеспечение заявки вносят деньгами или независимой гарантией.",
        phrasings=(
            "сколько денег заморозят на спецсчёте под заявку",
            "какое обеспечение заявки на аукционе",
            "чем обеспечить заявку, гарантией или деньгами",
        ),
    ),
    article(
        "payment-term",
        "Срок оплаты по контракту",
        "## Срок\nЗаказчик оплачивает поставленный товар после приёмки.",
        phrasings=(
            "заказчик не платит за поставленный товар",
            "когда заказчик обязан оплатить контракт",
            "задерживают оплату по госконтракту что делать",
        ),
    ),
    article(
        "complaint-fas",
        "Жалоба в ФАС",
        "## Порядок\nЖалобу на действия заказчика подают в контрольный орган.",
        phrasings=(
            "куда жаловаться на заказчика",
            "как написать жалобу в антимонопольную службу",
            "обжаловать отказ в допуске",
        ),
    ),
]

QUESTIONS = [
    "Какое обеспечение заявки на электронном аукционе?",
    "заказчик не платит уже два месяца, что делать",
    "a",
    "  ИП  на УСН — НДС?? 44-ФЗ ч. 1 ст. 30",
    "how big is the bid security",
    "",
]


def test_the_fast_reading_is_scikit_learns_decision_function() -> None:
    chars, words, model = fit(ARTICLES)
    fast = ArticleClassifier.trained(ARTICLES)
    for question in QUESTIONS:
        features = hstack(
            [chars.transform([question]), words.transform([classifier._lemmas(question)])]
        ).tocsr()
        expected = np.asarray(model.decision_function(features)).ravel()
        assert np.allclose(fast.margins(question), expected, atol=1e-4), question


def test_the_fast_reading_equals_scikit_learn_on_the_shipped_base(kb: KnowledgeBase) -> None:
    articles = [doc.article for doc in kb.index.docs]
    chars, words, model = fit(articles, classifier.outside_texts())
    fast = kb.index.classifier
    assert fast is not None
    for question in [*QUESTIONS[:2], "банковская гарантия отклонена заказчиком, что делать"]:
        features = hstack(
            [chars.transform([question]), words.transform([classifier._lemmas(question)])]
        ).tocsr()
        expected = np.asarray(model.decision_function(features)).ravel()
        assert np.allclose(fast.margins(question), expected, atol=1e-4)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("скока бабок надо заморозить под заявку", "security-bid"),  # slang, a typo
        ("заказчик задерживает оплату уже месяц", "payment-term"),
        ("хочу пожаловаться на заказчика в антимонопольный орган", "complaint-fas"),
    ],
)
def test_an_unseen_wording_goes_to_its_article(question: str, expected: str) -> None:
    model = ArticleClassifier.trained(ARTICLES)
    p = model.probabilities(question)
    assert p.sum() == pytest.approx(1.0)
    assert ARTICLES[int(np.argmax(p))].id == expected


DECLINED = (
    "как оформить загранпаспорт ребёнку",
    "рецепт борща с фасолью",
    "какая погода завтра в челябинске",
    "как уволить сотрудника за прогул",
    "what is the best pizza in town",
)


def test_the_outside_class_reads_a_question_like_none_of_the_articles() -> None:
    model = ArticleClassifier.trained(ARTICLES, DECLINED)
    chars, words, fitted = fit(ARTICLES, DECLINED)
    features = hstack(
        [chars.transform(["рецепт пиццы"]), words.transform([classifier._lemmas("рецепт пиццы")])]
    ).tocsr()
    assert np.allclose(
        model.margins("рецепт пиццы"),
        np.asarray(fitted.decision_function(features)).ravel(),
        atol=1e-4,
    )
    p, outside = model.reading("рецепт борща со сметаной")
    assert len(p) == len(ARTICLES) and p.sum() == pytest.approx(1.0)
    assert outside > 0.5
    p, outside = model.reading("какое обеспечение заявки на аукционе")
    assert ARTICLES[int(np.argmax(p))].id == "security-bid"
    assert outside < 0.5
    assert ArticleClassifier.trained(ARTICLES).reading("рецепт борща")[1] == 0.0  # none trained


def test_it_is_cached_by_the_training_texts_and_skipped_outside_its_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert classifier_for(ARTICLES) is None  # three articles: too few to learn from
    monkeypatch.setattr(classifier, "MIN_ARTICLES", 2)
    first = classifier_for(ARTICLES)
    assert first is not None
    assert classifier_for(list(ARTICLES)) is first  # same texts: no second training
    changed = [ARTICLES[0], ARTICLES[1], article("x", "Другое", "Текст.", phrasings=("иное",))]
    assert classifier_for(changed) is not first
    assert classifier_for(ARTICLES[:1]) is None  # one article: nothing to tell apart
    monkeypatch.setattr(classifier, "MAX_ARTICLES", 2)
    assert classifier_for(ARTICLES) is None


def test_its_agreement_turns_an_offered_leader_into_an_answer(kb: KnowledgeBase) -> None:
    a, b, c = list(kb.articles.values())[:3]

    def result(confidence: float, classified: float) -> SearchResult:
        hits = (Hit(a, 10.2, confidence), Hit(b, 10.0, 0.5), Hit(c, 5.0, 0.4))
        return SearchResult("q", hits, ("q",), (), False, classified=classified)

    assert not result(0.52, 0.0).confident  # neck and neck: offered as a choice
    assert result(0.52, AGREE).confident  # the classifier ranks it first too
    assert not result(0.52, AGREE - 0.01).confident
    assert not result(SUGGEST - 0.01, 0.9).confident  # not even offered: no agreement helps
    off = SearchResult("q", result(0.52, 0.9).hits, ("q",), (), True, classified=0.9)
    assert not off.confident  # off-topic stays declined


def test_the_search_reports_the_classifiers_agreement(kb: KnowledgeBase) -> None:
    result = kb.index.search("как подать жалобу в ФАС на заказчика")
    assert result.best is not None
    p = kb.index.classifier.probabilities(result.query) if kb.index.classifier else None
    assert p is not None
    leader = [doc.article.id for doc in kb.index.docs].index(result.best.article.id)
    assert int(np.argmax(p)) == leader  # a plain question: both readings agree
    assert result.classified == pytest.approx(p[leader], abs=1e-4)


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty disk cache, an empty memory cache and classifiers trained from three articles."""
    monkeypatch.setenv("SMEBOT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(classifier, "_cache", OrderedDict())
    monkeypatch.setattr(classifier, "MIN_ARTICLES", 2)
    return tmp_path


def test_a_restart_reads_the_trained_arrays_from_disk(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained = classifier_for(ARTICLES)
    assert trained is not None
    assert len(list(disk.glob("classifier-*.npz"))) == 1
    monkeypatch.setattr(classifier, "_cache", OrderedDict())  # a new process

    def no_training(_articles: object) -> None:
        raise AssertionError("trained again although the disk holds it")

    monkeypatch.setattr(ArticleClassifier, "trained", no_training)
    loaded = classifier_for(ARTICLES)
    assert loaded is not None and loaded is not trained
    for question in QUESTIONS:
        assert np.array_equal(loaded.margins(question), trained.margins(question)), question
    assert loaded.nbytes == trained.nbytes


def test_an_unreadable_cache_file_is_trained_again_and_replaced(
    disk: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert classifier_for(ARTICLES) is not None
    (path,) = disk.glob("classifier-*.npz")
    path.write_bytes(b"not an npz file")
    monkeypatch.setattr(classifier, "_cache", OrderedDict())
    again = classifier_for(ARTICLES)
    assert again is not None
    assert "unreadable" in caplog.text
    assert ArticleClassifier.load(path).size == len(ARTICLES)  # rewritten whole


def test_a_failed_write_leaves_no_half_file_and_the_bot_goes_on(
    disk: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    assert classifier_for(ARTICLES) is not None  # trained and served from memory
    assert "not written" in caplog.text
    assert list(disk.iterdir()) == []  # neither the file nor its hidden temporary


def test_changed_articles_get_their_own_file_and_off_keeps_none(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert classifier_for(ARTICLES) is not None
    changed = [ARTICLES[0], ARTICLES[1], article("x", "Другое", "Текст.", phrasings=("иное",))]
    assert classifier_for(changed) is not None
    assert len(list(disk.glob("classifier-*.npz"))) == 2
    monkeypatch.setenv("SMEBOT_CACHE_DIR", "off")
    monkeypatch.setattr(classifier, "_cache", OrderedDict())
    assert classifier_for(ARTICLES[1:]) is not None
    assert len(list(disk.glob("classifier-*.npz"))) == 2


def test_a_question_read_as_off_topic_is_declined_unless_the_leader_is_sure(
    kb: KnowledgeBase,
) -> None:
    a, b, _ = list(kb.articles.values())[:3]

    def result(confidence: float, outside: float) -> SearchResult:
        hits = (Hit(a, 20.0, confidence), Hit(b, 5.0, 0.3))
        return SearchResult("q", hits, ("q",), (), False, outside=outside)

    assert result(0.65, OUTSIDE - 0.01).confident
    assert not result(0.65, OUTSIDE).confident
    assert not result(0.5, OUTSIDE).suggestions  # not even offered
    assert result(SURE, 0.99).confident  # a sure leader overrules it

    asked = "как проверить директора контрагента в реестре дисквалифицированных лиц"
    assert kb.index.search(asked).outside >= OUTSIDE
    assert kb.ask(asked).outcome == "none"  # the bot found nothing and offers a consultant
    inside = kb.index.search("заказчик не платит по госконтракту уже два месяца")
    assert inside.outside < 0.1
    assert kb.ask(inside.query).outcome == "answer"
