"""/kb_from: a consultation's answer becomes a draft article in the article format."""

from __future__ import annotations

from datetime import date

from bot.ui.kb_admin import draft_article
from knowledge.loader import parse_article


def test_draft_is_an_article_file_that_asks_for_citations() -> None:
    text = draft_article(
        12,
        'Можно ли "частично" вернуть обеспечение \\ заявки?',
        ["Да, если…\n\nВторой абзац **важно**.", ""],
        'Мария "М"',
        "2026-11-26",
    )
    result = parse_article(text, "draft.md", today=date(2026, 11, 26))
    assert result.article is not None or result.problems
    assert text.startswith("---\nid: draft-consultation-12\n")
    assert "Второй абзац **важно**." in text and "УКАЖИТЕ норму" in text
    reasons = " ".join(p.reason for p in result.problems)
    assert "questions" in reasons  # one question only: the consultant must add more
    assert "yaml" not in reasons.lower()  # quotes and backslashes did not break the YAML
