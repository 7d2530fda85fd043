"""The citation guard: the text of 44-ФЗ parsed, and articles citing repealed or missing parts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from bot.cli import app
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.services import kb_store
from knowledge import citations
from knowledge.citations import CitationProblem, citation_problems, find_citations
from knowledge.law import Status, law_44, number, parse_law
from knowledge.loader import load_directory
from tests.factories import ARTICLE_BODY as BODY
from tests.factories import GOOD_ARTICLE as GOOD
from tests.factories import article_file as article

PATH = "knowledge/articles/smp/test-article.md"
LAWS_LINE = 11  # «  - ч. 1 ст. 30 44-ФЗ» in GOOD
BODY_LINE = 17


def status(article: str, part: str | None = None, item: str | None = None) -> Status:
    return law_44().status(
        number(article), number(part) if part else None, number(item) if item else None
    )


# Each fact was read in /work/shared/law/44-fz.txt (early-2026 edition) before it was pinned.
@pytest.mark.parametrize(
    ("article", "part", "item", "expected"),
    [
        ("34", "13.1", None, Status.IN_FORCE),  # «13.1. Срок оплаты заказчиком …»
        ("30", "8", None, Status.REPEALED),  # «8. Утратил силу с 1 мая 2022 года …»
        ("34", "6.1", None, Status.REPEALED),  # «6.1. Утратил силу с 1 января 2017 года …»
        ("44", "29", None, Status.MISSING),  # ст. 44 ends with ч. 18
        ("44", "18", None, Status.IN_FORCE),  # printed right after a page break (\f)
        ("63", None, None, Status.REPEALED),  # «Статьи 63 - 69. Утратили силу …»
        ("63", "1", None, Status.REPEALED),  # a part of a repealed article
        ("30.1", None, None, Status.REPEALED),  # «Статья 30.1. Утратила силу …»
        ("84", None, None, Status.REPEALED),  # «§ 5. … (статьи 84 - 92)» + «Утратил силу …»
        ("93", None, None, Status.IN_FORCE),
        ("18", "3", None, Status.REPEALED),  # «2 - 3. Утратили силу …»
        ("112", "44", None, Status.REPEALED),  # inside «42.2 - 52. Утратили силу …»
        ("112", "65.1", None, Status.IN_FORCE),
        ("8", "2", None, Status.IN_FORCE),  # its title has no blank line after it
        ("93", "1", "4", Status.IN_FORCE),
        ("93", "1", "25.2", Status.REPEALED),  # «25.1) - 25.3) утратили силу …»
        ("93", "1", "43", Status.REPEALED),  # «43) утратил силу …»
        ("1", "2", "8", Status.REPEALED),  # «8) не применяется …; утратил силу …»
        ("93", "1", "99", Status.MISSING),
        ("3", None, "4", Status.IN_FORCE),  # «п. 4 ст. 3»: the article's only list of items
        ("115", None, None, Status.MISSING),
    ],
)
def test_law_text_facts(article: str, part: str | None, item: str | None, expected: Status) -> None:
    assert status(article, part, item) is expected


def test_parser_ignores_wrapped_numbers_and_keeps_units_apart() -> None:
    text = (
        "     Статья 5. Заголовок\n\n"
        "     1. Текст части со ссылкой на часть\n"
        "2. Это перенос строки, а не часть.\n"
        "     2. Утратил силу. - Федеральный закон от 01.05.2019 N 71-ФЗ.\n"
        "\f     3. Часть после разрыва страницы:\n"
        "     1) утратил силу с 1 января 2022 года. - Федеральный закон от 02.07.2021 N 360-ФЗ;\n"
        "     2) пункт, который упоминает, что другой утратил силу.\n\n"
        "     Статья 6. Утратила силу. - Федеральный закон от 01.05.2019 N 71-ФЗ.\n"
    )
    law = parse_law(text)
    assert law.status((5,), (1,)) is Status.IN_FORCE
    assert law.status((5,), (2,)) is Status.REPEALED
    assert law.status((5,), (3,), (1,)) is Status.REPEALED
    assert law.status((5,), (3,), (2,)) is Status.IN_FORCE
    assert law.status((5,), (4,)) is Status.MISSING
    assert law.status((6,)) is Status.REPEALED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ч. 1–3 ст. 37 44-ФЗ", ["ч. 1 ст. 37", "ч. 2 ст. 37", "ч. 3 ст. 37"]),
        ("ч. 5, 6 ст. 30 44-ФЗ", ["ч. 5 ст. 30", "ч. 6 ст. 30"]),
        ("п. 4 ч. 1 ст. 93 44-ФЗ", ["п. 4 ч. 1 ст. 93"]),
        ("ч. 13.1 ст. 34 44-ФЗ", ["ч. 13.1 ст. 34"]),
        ("ст. 14 44-ФЗ", ["ст. 14"]),
        ("Ст. 14 44-ФЗ", ["ст. 14"]),  # at the start of a sentence
        ("П. 4 ч. 1 ст. 93 44-ФЗ", ["п. 4 ч. 1 ст. 93"]),
        ("ч. 13.1 ст. 34 и ч. 8 ст. 30 44-ФЗ", ["ч. 13.1 ст. 34", "ч. 8 ст. 30"]),
    ],
)
def test_citation_forms(text: str, expected: list[str]) -> None:
    found = find_citations(text)
    assert [str(c) for c in found] == expected
    assert {c.law for c in found} == {"44-ФЗ"}


@pytest.mark.parametrize(
    ("sentence", "law"),
    [
        ("Штраф по ст. 17 закона о защите конкуренции.", None),
        ("Ответственность по ст. 401 Гражданского кодекса.", None),
        ("Срок — ч. 13.1 ст. 34 Закона о контрактной системе.", "44-ФЗ"),
        ("Срок — ч. 13.1 ст. 34 (в ред. 104-ФЗ).", "44-ФЗ"),  # an amending law does not count
        ("Жалоба — ч. 4 ст. 198, как в АПК РФ.", None),  # the sentence names another statute
    ],
)
def test_which_law_a_body_citation_cites(sentence: str, law: str | None) -> None:
    # each citation would be flagged if it were read as 44-ФЗ: ст. 17 is repealed, ст. 401,
    # ч. 13.9 ст. 34 and ст. 198 do not exist
    body = BODY + "\n\n" + sentence.replace("13.1", "13.9")
    problems = citation_problems(article(["ч. 1 ст. 30 44-ФЗ"], body), PATH)
    assert len(problems) == (1 if law == "44-ФЗ" else 0), problems


def test_other_laws_are_out_of_scope() -> None:
    assert [c.law for c in find_citations("ст. 3.1-4 223-ФЗ; ст. 395 ГК РФ")] == [
        "223-ФЗ",
        "223-ФЗ",
        "ГК РФ",
    ]
    body = BODY + "\n\nСм. ч. 29 ст. 3.4 223-ФЗ и ч. 99 ст. 198 АПК РФ."
    assert citation_problems(GOOD.replace(BODY, body), PATH) == []


def test_repealed_and_missing_parts_are_reported() -> None:
    text = article(["ч. 1 ст. 30 44-ФЗ", "ч. 8 ст. 30 44-ФЗ", "ч. 29 ст. 44 44-ФЗ"])
    assert [str(p) for p in citation_problems(text, PATH)] == [
        f"{PATH}:{LAWS_LINE + 1}: cites ч. 8 ст. 30 44-ФЗ, which the law's text marks repealed",
        f"{PATH}:{LAWS_LINE + 2}: cites ч. 29 ст. 44 44-ФЗ, which does not exist in the law's text",
    ]


def test_body_citations() -> None:
    body = (
        BODY + "\n\nОплата — не позднее семи рабочих дней (ч. 13.1 ст. 34 44-ФЗ).\n\n"
        "- Пени считают по ч. 6.1 ст. 34 и правилам\n  контракта (ч. 2 ст. 44 44-ФЗ).\n"
        "- Обратите внимание: ч. 8 ст. 30 44-ФЗ утратила силу, срок теперь в ч. 13.1 ст. 34.\n"
        "- Раньше (до 2022 года, ст. 82.1) котировки были ограничены 3 млн руб."
    )
    problems = citation_problems(article(["ч. 13.1 ст. 34 44-ФЗ"], body), PATH)
    # the bare «ч. 6.1 ст. 34» takes 44-ФЗ from the article's applies_to; the warnings pass
    assert [(p.line, p.reason) for p in problems] == [
        (
            BODY_LINE + 4,
            "cites ч. 6.1 ст. 34 44-ФЗ, which the law's text marks repealed (no law named "
            "after it, read as 44-ФЗ: name the law if it is another one)",
        )
    ]
    assert all(isinstance(p, CitationProblem) for p in problems)


def test_bare_citation_in_an_article_on_both_laws() -> None:
    # 223-ФЗ has articles 1–8 only: a bare «ч. 6.1 ст. 34» is 44-ФЗ's (and repealed there)
    body = BODY + "\n\nПени считают по ч. 6.1 ст. 34."
    text = article(["ч. 13.1 ст. 34 44-ФЗ"], body, applies_to="both")
    assert len(citation_problems(text, PATH)) == 1
    # «ст. 3» may be 223-ФЗ's (ч. 5.3 ст. 3 223-ФЗ is its payment term): left unchecked
    text = article(["ч. 13.1 ст. 34 44-ФЗ"], BODY + "\n\nСрок — ч. 99 ст. 3.", "both")
    assert citation_problems(text, PATH) == []
    # a sentence that names a statute decides for its bare citations
    named = BODY + "\n\nПо 223-ФЗ — ч. 99 ст. 34 и ч. 6.1 ст. 34."
    assert citation_problems(article(["ст. 34 44-ФЗ"], named, "both"), PATH) == []


def _directory(tmp_path: Path, text: str) -> Path:
    (tmp_path / "articles" / "smp").mkdir(parents=True)
    (tmp_path / "articles" / "smp" / "test-article.md").write_text(text, encoding="utf-8")
    return tmp_path


def test_load_directory_checks_citations_only_when_asked(tmp_path: Path) -> None:
    root = _directory(tmp_path, article(["ч. 8 ст. 30 44-ФЗ"]))
    assert load_directory(root, today=date(2026, 11, 26))[1] == []
    _, problems = load_directory(root, today=date(2026, 11, 26), citations=True)
    assert [p.reason for p in problems] == [
        "cites ч. 8 ст. 30 44-ФЗ, which the law's text marks repealed"
    ]


def test_shipped_articles_cite_no_repealed_or_missing_part() -> None:
    _, problems = load_directory(DEFAULT_KNOWLEDGE_DIR, citations=True)
    assert [str(p) for p in problems if isinstance(p, CitationProblem)] == []


@pytest.mark.parametrize("enforce", [False, True])
def test_kb_check_warns_or_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enforce: bool
) -> None:
    monkeypatch.setattr(citations, "ENFORCE_CITATIONS", enforce)
    root = _directory(tmp_path, article(["ч. 8 ст. 30 44-ФЗ"]))
    result = CliRunner().invoke(app, ["kb", "check", "--dir", str(root)])
    line = "test-article.md:11: cites ч. 8 ст. 30 44-ФЗ, which the law's text marks repealed"
    assert line in result.output
    assert result.exit_code == (1 if enforce else 0), result.output
    assert ("warning: " in result.output) is not enforce


async def test_upload_refused_when_enforced(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = article(["ч. 29 ст. 44 44-ФЗ"])
    today = date(2026, 11, 26)
    monkeypatch.setattr(citations, "ENFORCE_CITATIONS", False)
    assert (await kb_store.validate_upload(session, text, today=today)).id == "test-article"
    monkeypatch.setattr(citations, "ENFORCE_CITATIONS", True)
    with pytest.raises(kb_store.ArticlesRejected) as caught:
        await kb_store.validate_upload(session, text, today=today)
    assert caught.value.detail == (
        "line 11: cites ч. 29 ст. 44 44-ФЗ, which does not exist in the law's text"
    )
