"""Article validation: every broken upload is refused with exact reasons and line numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from knowledge.loader import SECTIONS, load_directory, parse_article
from tests.factories import ARTICLE_BODY as BODY
from tests.factories import GOOD_ARTICLE as GOOD
from tests.support.cli import smebot, smebot_process


def test_shipped_knowledge_base_is_valid() -> None:
    articles, problems = load_directory(DEFAULT_KNOWLEDGE_DIR, today=datetime.now(UTC).date())
    assert problems == []
    assert len(articles) >= 80
    assert {a.section for a in articles} == set(SECTIONS)
    for a in articles:
        assert a.laws and a.updated and a.reviewed_by


def test_good_article_parses() -> None:
    result = parse_article(GOOD, "knowledge/articles/smp/test-article.md")
    assert result.problems == [] and result.article is not None
    assert result.article.laws == ("ч. 1 ст. 30 44-ФЗ",)


def test_phrasings_are_searched_not_shown() -> None:
    text = GOOD.replace("related: []", 'related: []\nphrasings:\n  - "нас кинули с оплатой"')
    result = parse_article(text, "knowledge/articles/smp/test-article.md")
    assert result.problems == [] and result.article is not None
    assert result.article.phrasings == ("нас кинули с оплатой",)
    assert "кинули" not in result.article.html
    too_many = "phrasings:\n" + "".join(f"  - вопрос {i}\n" for i in range(31))
    refused = parse_article(
        GOOD.replace("related: []", "related: []\n" + too_many.rstrip("\n")),
        "knowledge/articles/smp/test-article.md",
    )
    assert refused.article is None
    assert any("phrasings: at most 30" in p.reason for p in refused.problems)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("no front matter\n" + BODY, 1, "no YAML front matter"),
        (GOOD.replace("title: Тестовая статья", "title: [unclosed"), 4, "invalid YAML"),
        (GOOD.replace("  - ч. 1 ст. 30 44-ФЗ\n", "  - просто текст\n"), 11, "not a citation"),
        (
            GOOD.replace("laws:\n  - ч. 1 ст. 30 44-ФЗ\n", "laws: []\n"),
            10,
            "missing required field 'laws'",
        ),
        (GOOD.replace("updated: 2026-11-26", "updated: 2026-13-45"), 13, "not a date"),
        (GOOD.replace("updated: 2026-11-26", "updated: 2099-01-01"), 13, "in the future"),
        (GOOD.replace("section: smp", "section: misc"), 4, "unknown section"),
        (GOOD.replace("applies_to: 44-ФЗ", "applies_to: 94-ФЗ"), 12, "applies_to must be"),
        (GOOD.replace("related: []", "related: [test-article]"), 15, "related to itself"),
        (GOOD.replace(BODY, "Коротко."), 17, "expected 80–400"),
        (GOOD.replace(BODY, " ".join(["слово"] * 900)), 17, "expected 80–400"),
        (GOOD.replace(BODY, BODY + " <div>html</div>"), 17, "HTML tags are not allowed"),
        (GOOD.replace("id: test-article", "id: Test Article"), 2, "must be a slug"),
    ],
)
def test_broken_articles_are_refused(text: str, line: int, reason: str) -> None:
    result = parse_article(text, "knowledge/articles/smp/test-article.md", today=date(2026, 11, 30))
    assert result.article is None
    assert any(p.line == line and reason in p.reason for p in result.problems), result.problems


def test_duplicates_and_unresolved_related(tmp_path: Path) -> None:
    (tmp_path / "articles" / "smp").mkdir(parents=True)
    (tmp_path / "articles" / "smp" / "test-article.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "articles" / "security").mkdir()
    dup = GOOD.replace("section: smp", "section: security").replace(
        "related: []", "related: [missing-one]"
    )
    (tmp_path / "articles" / "security" / "test-article.md").write_text(dup, encoding="utf-8")
    (tmp_path / "articles" / "smp" / "latin1.md").write_bytes("ÿ".encode("latin-1"))
    _, problems = load_directory(tmp_path)
    reasons = [p.reason for p in problems]
    assert any("duplicate id 'test-article'" in r for r in reasons)
    assert any("related id 'missing-one' does not exist" in r for r in reasons)
    assert any("not UTF-8" in r for r in reasons)


def test_kb_check_cli(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    ok = smebot_process(root, "kb", "check")  # smoke: kb check
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "articles" / "smp").mkdir(parents=True)
    (tmp_path / "articles" / "smp" / "test-article.md").write_text(
        GOOD.replace("updated: 2026-11-26", "updated: вчера"), encoding="utf-8"
    )
    bad = smebot(root, "kb", "check", "--dir", str(tmp_path))
    assert bad.returncode == 1
    assert "test-article.md:13: updated: 'вчера' is not a date" in bad.stdout


def test_libyaml_reads_every_shipped_front_matter_as_the_python_loader_does() -> None:
    import yaml

    from knowledge.loader import FRONT_RE, _Loader, article_files, load_yaml

    for path in article_files(DEFAULT_KNOWLEDGE_DIR):
        match = FRONT_RE.match(path.read_text(encoding="utf-8"))
        assert match is not None, path
        assert load_yaml(match.group(1)) == yaml.load(match.group(1), Loader=_Loader), path
