"""The figure check: figures of an article against the text of the 44-ФЗ units it cites
(knowledge.figures; each law fact below was read in /work/shared/law/44-fz.txt)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import DEFAULT_KNOWLEDGE_DIR
from knowledge.figures import CALENDAR, DAY, PERCENT, RUB, SHARE, WORKING, check_directory, figures
from knowledge.figures import check_figures as check
from tests.factories import ARTICLE_BODY as BODY
from tests.factories import article_file

PATH = "knowledge/articles/smp/test-article.md"


@pytest.mark.parametrize(
    ("text", "value", "unit", "kind"),
    [
        ("не более семи рабочих дней", 7, DAY, WORKING),
        ("не позднее 7 рабочих дней", 7, DAY, WORKING),
        ("10 календарных дней", 10, DAY, CALENDAR),
        ("в течение десятидневного срока", 10, DAY, None),
        ("не позднее чем через пятнадцать дней", 15, DAY, None),
        ("от одной второй процента", Fraction(1, 2), PERCENT, None),
        ("0,5 % НМЦК", Fraction(1, 2), PERCENT, None),
        ("двадцати пяти процентов", 25, PERCENT, None),
        ("не превышающую шестисот тысяч рублей", 600_000, RUB, None),
        ("до 600 тыс. руб.", 600_000, RUB, None),
        ("600 000 руб.", 600_000, RUB, None),
        ("двух миллионов рублей", 2_000_000, RUB, None),
        ("20 млн руб.", 20_000_000, RUB, None),
        ("одной трехсотой ключевой ставки", Fraction(1, 300), SHARE, None),
        ("1/300 ключевой ставки", Fraction(1, 300), SHARE, None),
    ],
)
def test_figures_in_digits_and_in_words(
    text: str, value: int | Fraction, unit: str, kind: str | None
) -> None:
    [found] = figures(text)
    assert (found.value, found.unit, found.kind) == (value, unit, kind)


@pytest.mark.parametrize(
    "text",
    ["с 1 мая 2022 года", "письмо № 28/59120/24", "в 2026 году", "три запроса", "пункт 4"],
)
def test_dates_numbers_and_counts_are_not_figures(text: str) -> None:
    assert figures(text) == []


def body(*sentences: str) -> str:
    return BODY + "\n\n" + "\n\n".join(sentences)


def test_a_figure_matches_the_part_it_cites() -> None:
    # «не позднее двух рабочих дней со дня, следующего за датой окончания срока подачи заявок»
    report = check(
        article_file([], body("Заявки рассматривают за 2 рабочих дня (ч. 5 ст. 49).")), PATH
    )
    assert report.problems == [] and report.checked == 1


def test_a_wrong_figure_is_reported_with_its_line_and_part() -> None:
    text = article_file([], body("Заявки рассматривают за 3 рабочих дня (ч. 5 ст. 49)."))
    [problem] = check(text, PATH).problems
    assert str(problem) == f"{PATH}:18: «3 рабочих дня» is not in the text of ч. 5 ст. 49 44-ФЗ"
    assert not problem.working_vs_calendar


def test_working_and_calendar_days_must_agree() -> None:
    # ч. 14 ст. 95: «в течение десятидневного срока» — calendar days
    text = article_file([], body("Нарушение можно устранить за 10 рабочих дней (ч. 14 ст. 95)."))
    [problem] = check(text, PATH).problems
    assert problem.working_vs_calendar
    # ч. 13.1 ст. 34: «не более семи рабочих дней» — working days
    text = article_file([], body("Оплата — не позднее 7 дней (ч. 13.1 ст. 34)."))
    assert check(text, PATH).problems[0].working_vs_calendar


def test_a_figure_the_cited_part_does_not_state_is_caught_when_another_part_does() -> None:
    # 1 % is in п. 1 ч. 2 ст. 44, not in п. 1 ч. 1 ст. 30 (the 20 million roubles)
    wrong = body("Обеспечение — не больше 1 % НМЦК (п. 1 ч. 1 ст. 30).")
    right = body("Обеспечение — не больше 1 % НМЦК (п. 1 ч. 2 ст. 44).")
    assert len(check(article_file([], wrong), PATH).problems) == 1
    assert check(article_file([], right), PATH).problems == []


def test_a_section_heading_and_the_laws_list_stand_in_for_a_missing_citation() -> None:
    under_heading = body("### По 44-ФЗ (ч. 5 ст. 42)", "- Срок — не позднее чем за 4 дня.")
    assert len(check(article_file([], under_heading), PATH).problems) == 1
    listed = article_file(["ч. 5 ст. 42 44-ФЗ"], body("Срок — не позднее чем за 3 дня."))
    assert check(listed, PATH).problems == []
    assert len(check(listed.replace("за 3 дня", "за 4 дня"), PATH).problems) == 1


@pytest.mark.parametrize(
    "sentence",
    [
        "Оспорить можно в течение 3 месяцев (ч. 11 ст. 104 44-ФЗ; ч. 4 ст. 198 АПК РФ).",
        "По 223-ФЗ для МСП — не больше 5 % (ч. 6 ст. 96 44-ФЗ — для сравнения).",
        "Плата — 2 000 руб. (п. 1 ч. 1 ст. 30 44-ФЗ; размер — ПП № 564).",
    ],
)
def test_a_figure_beside_another_source_is_left_unchecked(sentence: str) -> None:
    report = check(article_file([], body(sentence)), PATH)
    assert report.problems == [] and report.unchecked


@pytest.mark.parametrize(
    "sentence",
    [
        "*Пример:* НМЦК 5 млн руб., 1 % = 50 000 руб. (ч. 2 ст. 44).",
        "В старых статьях пишут 15 % (ч. 1 ст. 30) — это устаревшая редакция.",
        "Раньше срок был 30 дней (ч. 13.1 ст. 34).",
    ],
)
def test_worked_examples_and_old_rules_are_not_checked(sentence: str) -> None:
    report = check(article_file([], body(sentence)), PATH)
    assert report.problems == [] and report.checked == 0


def test_every_shipped_figure_matches_the_part_it_cites() -> None:
    report = check_directory(DEFAULT_KNOWLEDGE_DIR / "articles")
    assert [str(p) for p in report.problems] == []
    assert report.checked > 200  # the check reads most of the base's figures


def test_kb_figures_command(tmp_path: Path) -> None:
    articles = tmp_path / "articles" / "smp"
    articles.mkdir(parents=True)
    (articles / "test-article.md").write_text(
        article_file([], body("Заявки рассматривают за 3 рабочих дня (ч. 5 ст. 49).")),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["kb", "figures", "--dir", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "«3 рабочих дня» is not in the text of ч. 5 ст. 49 44-ФЗ" in result.output
    shipped = CliRunner().invoke(app, ["kb", "figures", "--dir", str(DEFAULT_KNOWLEDGE_DIR)])
    assert shipped.exit_code == 0, shipped.output
    assert "0 not found" in shipped.output
