"""Issue 17: article Markdown through markdown-it-py, rendered to HTML Telegram accepts; what
Telegram would reject is refused by `kb check` and the upload path, naming the line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import kb_store
from knowledge.loader import article_files, parse_article
from knowledge.markdown import (
    markdown_problems,
    plain_length,
    split_html,
    telegram_problems,
    to_plain,
    to_telegram_html,
)
from tests.factories import ARTICLE_BODY
from tests.factories import GOOD_ARTICLE as GOOD
from tests.fakebotapi import ApiError, check_text
from tests.support.cli import smebot

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_nested_emphasis_is_properly_nested() -> None:
    html = to_telegram_html("***Важно:*** срок — 7 рабочих дней.")
    assert html == "<i><b>Важно:</b></i> срок — 7 рабочих дней."
    check_text(html, "HTML")
    html = to_telegram_html("**Жирный *и курсив* внутри** и *курсив **с жирным***")
    assert html == "<b>Жирный <i>и курсив</i> внутри</b> и <i>курсив <b>с жирным</b></i>"
    check_text(html, "HTML")
    # What the hand-made converter produced, and Telegram refused:
    with pytest.raises(ApiError, match="Can't find end tag"):
        check_text("<b><i>Важно:</b></i>", "HTML")
    assert telegram_problems("<b><i>Важно:</b></i>") != []


@pytest.mark.parametrize(
    ("markdown", "href"),
    [
        (
            "См. [статью](https://ru.wikipedia.org/wiki/Закон_(1)/) ниже.",
            "https://ru.wikipedia.org/wiki/Закон_(1)/",
        ),
        (
            "[Карточка](https://zakupki.gov.ru/epz/order/notice/view.html?reg_number=0873_1&x=2)",
            "https://zakupki.gov.ru/epz/order/notice/view.html?reg_number=0873_1&amp;x=2",
        ),
        (
            "[ГК РФ](https://www.consultant.ru/document/cons_doc_LAW_5142/) и _курсив_",
            "https://www.consultant.ru/document/cons_doc_LAW_5142/",
        ),
    ],
)
def test_links_keep_underscores_and_parentheses(markdown: str, href: str) -> None:
    html = to_telegram_html(markdown)
    assert f'<a href="{href}">' in html, html
    check_text(html, "HTML")
    assert markdown_problems(markdown) == []


def test_snake_case_words_are_not_italic() -> None:
    html = to_telegram_html("Поле reg_number_223 и файл contract_1_2.xml")
    assert "<i>" not in html
    check_text(html, "HTML")


def test_blocks_lists_code_and_quotes() -> None:
    md = (
        "### Сроки\n\nТекст\nпродолжается.\n\n- пункт & один\n  - вложенный\n- пункт <два>\n\n"
        "3. третий\n4. четвёртый\n\n> цитата\n\n```\nкод <x>\n```"
    )
    html = to_telegram_html(md)
    assert html.split("\n\n") == [
        "<b>Сроки</b>",
        "Текст продолжается.",
        "• пункт &amp; один\n  • вложенный\n• пункт &lt;два&gt;",
        "3. третий\n4. четвёртый",
        "<blockquote>цитата</blockquote>",
        "<pre>код &lt;x&gt;</pre>",
    ]
    for chunk in split_html(html, 30):
        check_text(chunk, "HTML")


def test_every_shipped_article_renders_to_html_telegram_accepts() -> None:
    files = list(article_files(ROOT / "knowledge"))
    assert len(files) >= 50
    for file in files:
        result = parse_article(file.read_text(encoding="utf-8"), str(file))
        assert result.article is not None, result.problems
        html = to_telegram_html(result.article.body)
        assert markdown_problems(result.article.body) == [], file
        chunks = split_html(html, 3800)
        for chunk in chunks:
            check_text(chunk, "HTML")  # the fake Bot API's rules: tags, nesting, entities
            assert telegram_problems(chunk) == [] and plain_length(chunk) <= 3800, file
        assert to_plain("\n\n".join(chunks)) == to_plain(html)


def _with_body(body: str) -> str:
    return GOOD.replace(ARTICLE_BODY, body)


def test_kb_parse_names_the_line_of_a_link_telegram_refuses() -> None:
    text = _with_body(ARTICLE_BODY + "\n\nСм. [карточку](javascript:alert(1)) и далее.\n")
    result = parse_article(text, "smp/test-article.md")
    assert result.article is None
    line = text.splitlines().index("См. [карточку](javascript:alert(1)) и далее.") + 1
    assert [(p.line, p.reason) for p in result.problems] == [
        (
            line,
            "Telegram would reject this: link address 'javascript:alert(1' is not one Telegram opens",
        )
    ]


def test_kb_check_rejects_what_telegram_would_reject(tmp_path: Path) -> None:
    bad = _with_body(ARTICLE_BODY + "\n\n[ссылка](ftp://example.org/file_(1).pdf)\n")
    target = tmp_path / "kb" / "articles" / "smp" / "test-article.md"
    target.parent.mkdir(parents=True)
    target.write_text(bad, encoding="utf-8")
    result = smebot(tmp_path, "kb", "check", "--dir", str(tmp_path / "kb"))
    assert result.returncode != 0
    line = bad.splitlines().index("[ссылка](ftp://example.org/file_(1).pdf)") + 1
    assert f":{line}" in result.stdout + result.stderr or f"line {line}" in (
        result.stdout + result.stderr
    ), result.stdout + result.stderr
    assert "Telegram would reject" in result.stdout + result.stderr


async def test_upload_path_rejects_what_telegram_would_reject(session: AsyncSession) -> None:
    text = _with_body(ARTICLE_BODY + "\n\n[ссылка](javascript:void(0))\n")
    line = text.splitlines().index("[ссылка](javascript:void(0))") + 1
    with pytest.raises(kb_store.ArticlesRejected) as caught:
        await kb_store.validate_upload(session, text, today=NOW.date())
    assert f"line {line}: Telegram would reject this" in caught.value.detail
