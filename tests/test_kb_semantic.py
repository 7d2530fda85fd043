"""Unseen questions (issue 14): ordinary words around a procurement question do not count
against it, word vectors find paraphrases, English goes through a wider word map, and
questions with no procurement in them are still declined."""

from __future__ import annotations

import pytest

from bot.services.answers import KnowledgeBase
from knowledge import search
from knowledge.decision import CLEAR, Hit, SearchResult
from knowledge.loader import Article
from knowledge.query import focus_text
from knowledge.search import SearchIndex
from knowledge.vectors import load_vectors
from tests.factories import article

needs_vectors = pytest.mark.skipif(load_vectors() is None, reason="natasha is not installed")


def test_ordinary_words_are_not_unknown(kb: KnowledgeBase) -> None:
    question = "в пятницу выложили протокол, когда подписывать контракт"
    parts = kb.index.parse_query(question)
    assert {"пятница", "выложить"} <= set(parts.ordinary)
    assert not parts.unknown
    answer = kb.ask(question)
    assert answer.outcome == "answer" and answer.article is not None
    assert answer.article.id.startswith("contract-signing")


def test_words_pymorphy_does_not_know_still_count_as_unknown(kb: KnowledgeBase) -> None:
    parts = kb.index.parse_query("как работает гчп и штраф гибдд")
    assert "гчп" in parts.unknown  # a term of a neighbouring field the base does not cover
    assert "гибдд" not in parts.ordinary  # an abbreviation names a topic, it is not «context»


@pytest.mark.parametrize(
    "question",
    [
        "посоветуйте где недорого купить офисную мебель",
        "как отпроситься с работы в пятницу пораньше",
        "how do I fix a flat tyre on my bike",
        "какая погода в Челябинске",
        "штраф гибдд как оплатить со скидкой",
    ],
)
def test_questions_without_procurement_are_still_declined(kb: KnowledgeBase, question: str) -> None:
    answer = kb.ask(question)
    assert answer.outcome in {"none", "off_topic"}, (answer.outcome, answer.alternatives)
    assert answer.article is None and not answer.alternatives


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many working days does the customer have to pay after acceptance?", "execution-payment-term-44"),
        ("What is the revenue limit for a small business to count as an SME?", "start-who-is-smp"),
        ("can the bot remind me about the bid deadline", "about-reminders"),
    ],
)  # fmt: skip
def test_english_questions_are_answered(kb: KnowledgeBase, question: str, expected: str) -> None:
    answer = kb.ask(question)
    assert answer.outcome == "answer" and answer.article is not None, answer.outcome
    assert answer.article.id == expected


def _article(id_: str, title: str, body: str) -> Article:
    return article(id_, title, body, section="contract", laws=("ч. 7 ст. 34 44-ФЗ",))


@needs_vectors
def test_semantic_similarity_finds_a_paraphrase_with_no_shared_words() -> None:
    articles = [
        _article(
            "late",
            "Неустойка поставщику",
            "Пени начисляются за каждый день просрочки исполнения обязательства.",
        ),
        _article(
            "bank",
            "Независимая гарантия банка",
            "Гарантию выдаёт банк из перечня Минфина, она вносится в реестр.",
        ),
    ]
    question = "опоздали с доставкой, придётся ли платить штраф"
    lexical = SearchIndex(articles, semantic=False)
    tokens, _, _ = lexical.analyze_query(question)
    assert not tokens  # not one word of the question is in either article
    assert not lexical.search(question).hits
    semantic = SearchIndex(articles)
    hits = semantic.search(question).hits
    assert hits and hits[0].article.id == "late"


@needs_vectors
def test_vectors_load_once_and_know_russian() -> None:
    vectors = load_vectors()
    assert vectors is load_vectors()  # one copy per process
    assert vectors is not None and "закупка" in vectors and "zzzq" not in vectors
    a, b, c = (vectors.get(w) for w in ("неустойка", "пеня", "погода"))
    assert a is not None and b is not None and c is not None
    assert float(a @ b) > float(a @ c) + 0.2


def test_an_answer_offers_the_next_articles_as_buttons(kb: KnowledgeBase) -> None:
    from bot.ui.answers import answer_messages

    answer = kb.ask("сколько стоит банковская гарантия")
    assert answer.outcome == "answer" and answer.article is not None
    labels = [b.text for row in answer_messages(answer)[-1].keyboard.inline_keyboard for b in row]  # type: ignore[union-attr]
    for ref in answer.alternatives:
        assert any(ref.title[:20] in label for label in labels)


def test_inflected_english_reaches_the_word_map(kb: KnowledgeBase) -> None:
    assert kb.glossary.translate(["withdrawn", "penalties", "signed"]) == [
        *kb.glossary.translate(["withdraw"]),
        *kb.glossary.translate(["penalty"]),
        *kb.glossary.translate(["sign"]),
    ]
    answer = kb.ask("Can a bid be withdrawn before the deadline?")
    assert answer.article is not None and answer.article.id == "application-withdraw-change"


def test_an_off_topic_word_the_articles_use_does_not_decline(kb: KnowledgeBase) -> None:
    """«ставка» is in OFF_TOPIC (betting), but the articles use it: ключевая ставка."""
    answer = kb.ask("ключевая ставка для расчета пени")
    assert answer.outcome == "answer"


@pytest.mark.parametrize(
    "question",
    ["можно ли купить по 44 фз в лизинг технику", "what tax do I pay on a government contract"],
)
def test_a_topic_no_article_covers_is_declined(kb: KnowledgeBase, question: str) -> None:
    assert kb.ask(question).outcome == "none"


def test_neck_and_neck_articles_are_offered_not_answered(kb: KnowledgeBase) -> None:
    a, b, c = list(kb.articles.values())[:3]

    def result(first: float, confidence: float) -> SearchResult:
        hits = (Hit(a, first, confidence), Hit(b, 10.0, 0.6), Hit(c, 5.0, 0.5))
        return SearchResult("q", hits, ("q",), (), False)

    close = 10.0 * CLEAR - 0.05
    assert not result(close, 0.65).confident  # within CLEAR of the runner-up: a choice
    assert len(result(close, 0.65).suggestions) == 3
    assert result(close, 0.75).confident  # unless the leader is very sure
    assert result(10.0 * CLEAR + 0.05, 0.65).confident  # a clear lead is answered


def test_the_223_counterpart_of_a_44_leader_is_no_rival_unless_a_law_is_named(
    kb: KnowledgeBase,
) -> None:
    leader = kb.articles["protection-rnp-44"]
    counterpart = kb.articles["protection-rnp-223"]
    other = kb.articles["protection-rnp-avoid"]

    def result(law_named: bool) -> SearchResult:
        hits = (Hit(leader, 10.2, 0.65), Hit(counterpart, 10.0, 0.66), Hit(other, 5.0, 0.3))
        return SearchResult("q", hits, ("q",), (), False, law_named=law_named)

    assert result(law_named=False).confident  # answered, the 223-ФЗ article beside it
    assert not result(law_named=True).confident  # the law named: they compete on their own


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        (
            "Поставили бумагу в школу, акт подписали давно. Сколько заказчик может тянуть с оплатой?",
            " Сколько заказчик может тянуть с оплатой?",
        ),
        (
            "выиграли электронный аукцион, сколько у нас дней, чтобы подписать контракт?",
            " сколько у нас дней, чтобы подписать контракт?",
        ),
        ("сколько дней на подписание контракта", None),  # the whole message asks
        ("заказчик не платит за поставку", None),  # nothing asks: the whole message counts
        (  # a question word in another form («какие» is «какой»)
            "Мы небольшая фирма из Челябинска. Подали заявку, какие декларации нужны",
            " какие декларации нужны",
        ),
        (  # nothing asks: the last sentence is the question proper
            "Добрый день, мы ИП. Обеспечение заявки на аукционе по 44",
            " Обеспечение заявки на аукционе по 44",
        ),
    ],
)  # fmt: skip
def test_the_question_proper_is_told_from_its_story(question: str, focus: str | None) -> None:
    assert focus_text(question) == focus


def test_the_story_around_a_question_weighs_less_in_its_coverage(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = (
        "мы ип, поставили канцелярию в больницу, акт в еис подписан десять дней назад. "
        "в какой срок заказчик должен оплатить?"
    )
    told = kb.index.search(question).hits[0]
    monkeypatch.setattr(search, "CONTEXT_COVER", 1.0)
    flat = kb.index.search(question).hits[0]
    assert told.article.id == flat.article.id
    assert told.confidence > flat.confidence


def test_english_compounds_match_russian_word_order(kb: KnowledgeBase) -> None:
    """«bid security amount» is «размер обеспечения заявки»: the pairs count both ways."""
    parts = kb.index.parse_query("what is the bid security amount")
    assert parts.translated
    answer = kb.ask("what is the bid security amount")
    assert answer.outcome == "answer" and answer.article is not None
    assert answer.article.id == "security-bid-size-44"


@pytest.mark.parametrize(
    "question",
    [
        "поставили автомобиль по госконтракту, а заказчик не платит уже месяц",
        "заказчик не принимает поставку таблеток, сколько дней у него на приемку",
        "аукцион на аренду помещения по 44 фз, какое обеспечение заявки",
    ],
)
def test_goods_named_by_an_off_topic_word_keep_a_procurement_question_in_scope(
    kb: KnowledgeBase, question: str
) -> None:
    # «автомобиль», «таблетка», «аренда» name what the customer buys: the customer, the
    # contract or the law tie the question to procurement
    assert not kb.index.parse_query(question).off_topic
    assert kb.ask(question).outcome != "off_topic"


@pytest.mark.parametrize(
    "question",
    ["машина не заводится на морозе что делать", "аукцион картин айвазовского где посмотреть"],
)
def test_off_topic_words_without_procurement_still_decline(
    kb: KnowledgeBase, question: str
) -> None:
    assert kb.index.parse_query(question).off_topic
    assert kb.ask(question).outcome == "off_topic"


@pytest.mark.parametrize(
    "question",
    [
        "когда платить налог на прибыль за год",
        "как перечислить страховые взносы за себя ип",
        "как зарегистрировать ооо самому без юриста",
        "можно ли открыть второй расчетный счет ип",
    ],
)
def test_a_firms_own_taxes_registration_and_bank_account_are_off_topic(
    kb: KnowledgeBase, question: str
) -> None:
    assert kb.ask(question).outcome == "off_topic"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("мы не платим ндс, нам снизят цену контракта?", "contract-price-usn-vat"),
        ("нужно ли открыть отдельный счет чтобы участвовать в торгах", "security-special-account"),
    ],
)
def test_the_same_words_in_a_procurement_question_stay_in_scope(
    kb: KnowledgeBase, question: str, expected: str
) -> None:
    answer = kb.ask(question)
    assert answer.outcome == "answer" and answer.article is not None
    assert answer.article.id == expected


@pytest.mark.parametrize(
    ("question", "word"),
    [("скинули цену на аукционе", "снизить"), ("опаздываем с поставкой", "просрочить")],
)
def test_colloquial_verbs_read_as_the_articles_word(
    kb: KnowledgeBase, question: str, word: str
) -> None:
    assert word in kb.index.parse_query(question).tokens


@pytest.mark.parametrize(
    ("question", "bought"),
    [
        ("Мы поставили бумагу в школу, акт подписали", {"бумага"}),
        ("мы привезли столы и стулья в школу на три дня позже", {"стол", "стул"}),
        ("госконтракт на поставку медицинских масок, заказчик", {"медицинский", "маска"}),
        ("можно ли продать долг заказчика банку", set()),  # «долг»: many articles use it
        ("поставка товара по контракту", set()),  # a word many articles use is no goods
    ],
)
def test_what_is_bought_does_not_count_in_coverage(
    kb: KnowledgeBase, question: str, bought: set[str]
) -> None:
    assert kb.index.parse_query(question).goods == bought


@pytest.mark.parametrize(
    ("typo", "word"),
    [("зяавок", "заявка"), ("зарпос", "запрос"), ("напсиать", "написать")],
)
def test_a_swapped_or_missing_letter_is_corrected(kb: KnowledgeBase, typo: str, word: str) -> None:
    assert word in kb.index.parse_query(f"как подать {typo}").tokens


@needs_vectors
def test_a_misspelt_english_word_is_put_right_but_a_real_one_is_not(kb: KnowledgeBase) -> None:
    from knowledge.query import english_typo

    assert english_typo(kb.index, "gurantee") == "guarantee"
    assert english_typo(kb.index, "procruement") == "procurement"
    assert english_typo(kb.index, "contact") == "contact"  # not «contract»: the vectors know it


def test_a_preamble_does_not_hide_a_question_its_question_proper_answers(
    kb: KnowledgeBase,
) -> None:
    question = (
        "Коротко о нас: делаем мебель на заказ. Нужно ли обеспечение заявки на аукционе и сколько?"
    )
    assert not kb.index._search(question).confident  # the story alone sinks its coverage
    answer = kb.ask(question)
    assert answer.outcome == "answer" and answer.article is not None
    assert answer.article.id == "security-bid-size-44"  # the question proper agrees
