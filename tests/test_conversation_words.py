"""Everyday conversation (issue 18): greetings and thanks get a friendly answer, never the
«придумывать правовые нормы я не стану» decline."""

from __future__ import annotations

import pytest

from bot.services.answers import KnowledgeBase
from bot.ui.answers import answer_messages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("привет", "Здравствуйте"),
        ("Добрый день!", "Здравствуйте"),
        ("спасибо", "Пожалуйста"),
        ("Спасибо большое", "Пожалуйста"),
        ("до свидания", "До встречи"),
        ("здравствуйте, подскажите пожалуйста", "Здравствуйте"),
        ("привет 14", "Здравствуйте"),
    ],
)
def test_small_talk_is_answered_kindly(kb: KnowledgeBase, text: str, expected: str) -> None:
    answer = kb.ask(text)
    assert answer.outcome == "small_talk"
    [message] = answer_messages(answer)
    assert expected in message.text and "придумывать" not in message.text


def test_a_question_after_thanks_is_still_a_question(kb: KnowledgeBase) -> None:
    assert kb.ask("спасибо, а какое обеспечение заявки для СМП?").outcome != "small_talk"
    assert kb.ask("добрый день, подскажите сроки оплаты").outcome != "small_talk"


def test_a_44_card_does_not_cite_223() -> None:
    import dataclasses

    from bot.ui.cards import procedure_text
    from tests.template_samples import CARD

    text = procedure_text(dataclasses.replace(CARD, law="44", smp_only=True), "Europe/Moscow")
    assert "ч. 3 ст. 30 44-ФЗ" in text and "223-ФЗ" not in text
    assert "(ч. 3 ст. 30 44-ФЗ)\n\n" in text  # the blank line after it stays
    text = procedure_text(dataclasses.replace(CARD, law="223", smp_only=True), "Europe/Moscow")
    assert "среди МСП по 223-ФЗ" in text and "44-ФЗ" not in text


@pytest.mark.parametrize(
    ("args", "region", "label"),
    [
        ("74 ноябрь", "74", "ноябрь 2026"),
        ("челябинская область 2026", "74", "2026 год"),
        ("77 2026", "77", "2026 год"),
        ("в ноябре 2025", "74", "ноябрь 2025"),
        ("свердловская область квартал", "66", "IV квартал 2026"),
        ("01.01.2026 31.03.2026", "74", "I квартал 2026"),
        ("74 2026 ноябрь", "74", "ноябрь 2026"),
        ("челябинск", "74", "2026 год"),
        ("новосибирск квартал", "54", "IV квартал 2026"),
    ],
)
def test_stats_takes_what_people_type(args: str, region: str, label: str) -> None:
    from datetime import date

    from bot.ui.cards import period_label
    from handlers.stats import parse_args

    query = parse_args(args, "74", date(2026, 11, 30))
    assert (query.region, period_label(query.period)) == (region, label)


def test_an_empty_month_offers_the_one_before_and_a_bad_date_comes_first() -> None:
    import dataclasses
    from datetime import date

    from bot.services.stats.period import make_period
    from bot.ui.render import render
    from bot.ui.stats import stats_keyboard
    from tests.template_samples import STATS_EMPTY

    empty = dataclasses.replace(STATS_EMPTY, period=make_period("month", date(2026, 12, 1)))
    assert empty.empty
    labels = [b.text for row in stats_keyboard(empty, "74").inline_keyboard for b in row]
    assert "◀️ ноябрь 2026" in labels and "📥 Выгрузить CSV" not in labels
    usage = render("stats/usage", detail="Не понял дату «31.02.2026».")
    assert usage.startswith("⚠️ Не понял дату «31.02.2026».")


def test_a_draft_article_is_not_called_checked() -> None:
    from bot.ui.render import render
    from tests.template_samples import DRAFT_VIEW, VIEW

    footer = render("qa/answer", article=DRAFT_VIEW, chunk="…", first=False, last=True)
    assert "Проверено" not in footer and "черновик, консультант ещё не проверил" in footer
    footer = render("qa/answer", article=VIEW, chunk="…", first=False, last=True)
    assert "Проверено:" in footer and "черновик" not in footer
    lines = footer.splitlines()  # the footer keeps its lines
    assert lines[-2].startswith("🗓 Проверено:") and lines[-1].startswith("<i>Справочная")


def test_the_glossary_hides_misspellings_and_does_not_repeat_the_term(kb: KnowledgeBase) -> None:
    from bot.ui.console_text import html_to_text
    from bot.ui.glossary import shown_synonyms
    from bot.ui.render import render

    term = kb.term("тендер")
    assert term is not None
    text = html_to_text(render("glossary/term", term=term, synonyms=shown_synonyms(term)))
    assert "тендр" not in text and "тендор" not in text and "тендеры" not in text
    assert text.lower().count("тендер") == 1  # not «тендер — тендер (…)»
    assert "госзакупка" in text


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("что такое нмцк", "definition"),  # the search ranked the bid-security article first
        ("Что значит СМП?", "definition"),
        ("что такое спецсчет для закупок", "answer"),  # an article about it: the article
        ("what is the contract performance security size", "answer"),  # a figure, not a term
    ],
)
def test_what_a_term_means_comes_from_the_glossary(
    kb: KnowledgeBase, question: str, outcome: str
) -> None:
    answer = kb.ask(question)
    assert answer.outcome == outcome
    if outcome == "definition":
        [message] = answer_messages(answer)
        assert answer.term is not None and answer.term.description in message.text
        assert message.keyboard is not None and len(message.keyboard.inline_keyboard) >= 2


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("нмцк это что", "НМЦК"),  # the term first
        ("МЧД — что это такое и зачем оно мне", "МЧД"),
        ("кто такие смп", "СМП"),
        ("что за РНП и при чём он к нам", "РНП"),
        ("what is an SME and why does it matter", "СМП"),
    ],
)
def test_a_term_asked_with_its_purpose_or_put_first_is_still_a_definition(
    kb: KnowledgeBase, question: str, term: str
) -> None:
    from bot.services.definitions import defined_term

    found = defined_term(kb.glossary, question)
    assert found is not None and found.term == term


@pytest.mark.parametrize(
    "question", ["как рассчитать нмцк что это за формула", "кто такие смп по выручке и людям"]
)
def test_a_question_about_a_terms_figures_is_not_a_definition(
    kb: KnowledgeBase, question: str
) -> None:
    from bot.services.definitions import defined_term

    assert defined_term(kb.glossary, question) is None
