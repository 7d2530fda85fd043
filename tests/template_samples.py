"""Sample contexts for every template; the rules test renders each one."""

from __future__ import annotations

from typing import Any

from bot.ui.commands import COMMANDS

HOSTILE = '<b>Ð & "кавычки" </i> ' + "x" * 10

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
    "common/text_hint": [{}],
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
}
