"""Sample contexts for every template; the rules test renders each one."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.services.answers import ArticleRef, ArticleView
from bot.ui.commands import COMMANDS
from knowledge.glossary import Term

HOSTILE = '<b>Ð & "кавычки" </i> ' + "x" * 10

VIEW = ArticleView(
    id="security-bid-size-44",
    title="Сколько составляет обеспечение заявки & <что> важно",
    section="security",
    section_title="Обеспечение",
    chunks=("<b>Жирный</b> текст &amp; «кавычки»\n\n• пункт", "второй <i>кусок</i>"),
    laws=("ч. 15 ст. 44 44-ФЗ", "ст. 37 44-ФЗ <x>"),
    applies_to="both",
    updated=date(2026, 11, 26),
    reviewed_by="редакция & <консультант>",
    related=(ArticleRef("a", "Связанная", "smp"),),
)
REFS = (ArticleRef("a", HOSTILE, "smp", 1.0), ArticleRef("b", "Вторая статья", "smp", 0.5))
TERM = Term(
    "НМЦК",
    "начальная (максимальная) цена контракта",
    ("нмцк", "<нмц>"),
    ("initial price",),
    "Описание & <пример>",
)

SAMPLES: dict[str, list[dict[str, Any]]] = {
    "start/welcome": [{"name": "Алиса"}, {"name": HOSTILE}, {"name": ""}],
    "start/help": [{"commands": COMMANDS}],
    "start/menu": [{}],
    "start/soon": [{"title": "Найти закупку"}],
    "start/ask_prompt": [{}],
    "common/unknown_command": [{"command": "/x<y>&"}],
    "common/unsupported_content": [
        {"kind": k} for k in ("sticker", "photo", "voice", "document", "other")
    ],
    "common/too_long": [{"length": 5001, "limit": 1000}, {"length": 1001, "limit": 1000}],
    "common/error": [{}],
    "common/domain_error": [
        {"code": c, "detail": d}
        for c in ("not_found", "forbidden", "bad_input", "generic")
        for d in ("", HOSTILE)
    ],
    "common/flood": [{}],
    "common/stale_button": [{}],
    "common/group_hint": [{"username": "smebot_bot"}],
    "qa/answer": [
        {"article": VIEW, "chunk": VIEW.chunks[i], "first": i == 0, "last": i == 1} for i in (0, 1)
    ],
    "qa/inline_article": [{"article": VIEW, "chunk": VIEW.chunks[0]}],
    "qa/suggest": [{"suggestions": REFS}],
    "qa/none": [{"outcome": "none"}, {"outcome": "off_topic"}],
    "qa/small_talk": [{}],
    "qa/empty": [{}],
    "qa/feedback": [{"useful": True}, {"useful": False}],
    "qa/feedback_again": [{}],
    "faq/sections": [{"total": 88}, {"total": 1}],
    "faq/section": [
        {"title": "Обеспечение", "count": 9, "page": 0, "pages": 2},
        {"title": HOSTILE, "count": 1, "page": 0, "pages": 1},
    ],
    "glossary/term": [{"term": TERM}],
    "glossary/not_found": [
        {"query": HOSTILE, "suggestions": ["НМЦК", "НМЦД"]},
        {"query": "x", "suggestions": []},
    ],
    "glossary/usage": [{"terms": ["СМП", "НМЦК", "<x>"]}],
}
