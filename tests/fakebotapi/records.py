"""What the bot did, as the fake server saw it, and the failures a test injects."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Sent:
    """One thing the bot did, as the server saw it."""

    method: str
    chat_id: int
    params: dict[str, Any]
    message_id: int
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def markup(self) -> dict[str, Any] | None:
        return self.params.get("reply_markup")

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.markup or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def button(self, label_part: str) -> dict[str, Any]:
        for b in self.buttons():
            if label_part in b["text"]:
                return b
        raise AssertionError(
            f"no button with {label_part!r} in {[b['text'] for b in self.buttons()]}"
        )


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None
    chat_id: int | None
