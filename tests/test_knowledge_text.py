from __future__ import annotations

import pytest

from knowledge.markdown import plain_length, split_html, to_plain, to_telegram_html
from knowledge.text import is_meaningless, lemmas, negated, normalize, words
from tests.fakebotapi import check_text


@pytest.mark.parametrize(
    "text",
    [
        "44-ФЗ",
        "44 ФЗ",
        "44фз",
        "ФЗ-44",
        "фз № 44",
        "44-fz",
        "FZ 44",
        "федеральный закон 44",
        "по 44",
    ],
)
def test_law_number_forms(text: str) -> None:
    assert "44фз" in words(text)


def test_article_numbers_and_units_are_not_laws() -> None:
    assert "44фз" not in words("ст. 44 о обеспечении")
    assert "44фз" not in words("44 дня")
    assert "223фз" in words("по 223-ФЗ") and words("ПП 1352") == ["пп1352"]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("п. 4 ч. 1 ст. 93 44-ФЗ", ["п", "4", "ч", "1", "ст93", "44фз"]),
        ("по 93 статье", ["по", "ст93"]),
        ("93-й статьи 44-фз", ["ст93", "44фз"]),
        ("по пункту 4 статьи 93", ["по", "пункту", "4", "ст93"]),  # the article, not «4 статьи»
        ("ст. 4.1 209-ФЗ", ["ст4д1", "209фз"]),
        ("статья 44 закона", ["ст44", "закона"]),  # an article number, not the law
        ("как стать поставщиком", ["как", "стать", "поставщиком"]),
    ],
)
def test_cited_articles_are_one_token(text: str, tokens: list[str]) -> None:
    assert words(text) == tokens


def test_the_notices_search_keeps_article_numbers_plain() -> None:
    assert words("п. 4 ч. 1 ст. 93", citations=False) == ["п", "4", "ч", "1", "ст", "93"]


def test_normalize_and_lemmas() -> None:
    assert normalize("Ещё") == "еще"
    assert lemmas("Какое обеспечение заявок?") == ["обеспечение", "заявка"]
    assert lemmas("bank guarantees") == ["bank", "guarantee"]


@pytest.mark.parametrize("text", ["", "   ", "!!!", "🙂🙂", "?!.,;", "—"])
def test_meaningless(text: str) -> None:
    assert is_meaningless(text)


def test_markdown_to_telegram_html_is_safe() -> None:
    md = "### Заголовок\n\nТекст с **жирным**, *курсивом*, `код <x>` и [ссылкой](https://zakupki.gov.ru).\n\n- пункт & один\n- пункт <два>\n\n1. первый\n2. второй"
    html = to_telegram_html(md)
    assert "<b>Заголовок</b>" in html and "<b>жирным</b>" in html and "<i>курсивом</i>" in html
    assert "<code>код &lt;x&gt;</code>" in html
    assert '<a href="https://zakupki.gov.ru">ссылкой</a>' in html
    assert "• пункт &amp; один" in html and "• пункт &lt;два&gt;" in html
    assert "1. первый\n2. второй" in html
    check_text(html, "HTML")


def test_markdown_never_makes_javascript_links_or_raw_html() -> None:
    html = to_telegram_html("[x](javascript:alert(1)) <script>alert(1)</script> a*b*c 2*3*4")
    assert "<a" not in html and "<script>" not in html
    check_text(html, "HTML")


def test_split_on_paragraph_boundaries() -> None:
    html = "\n\n".join(f"<b>Абзац {i}</b> " + "слово " * 100 for i in range(30))
    chunks = split_html(html, 1000)
    assert len(chunks) > 1
    assert all(plain_length(c) <= 1000 for c in chunks)
    for chunk in chunks:
        check_text(chunk, "HTML")
    assert to_plain("\n\n".join(chunks)) == to_plain(html)


@pytest.mark.parametrize(
    ("question", "contrast"),
    [
        ("максимальный срок оплаты по 44фз если мы не СМП", ["смп"]),
        ("когда идти в арбитражный суд а не в антимонопольную", ["антимонопольную"]),
        ("заказчик не платит уже месяц", []),  # the verb is the topic
        ("почему не подписали акт", []),
        ("при какой нмцк не нужно обеспечение", []),
    ],
)
def test_negated_nominals(question: str, contrast: list[str]) -> None:
    tokens = words(question)
    assert [tokens[i] for i in sorted(negated(tokens))] == contrast
