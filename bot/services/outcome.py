"""What happened to one outgoing message (Telegram-free: the sender reports it, the outbox
records it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one message: sent | blocked | failed | retry."""

    id: int
    status: Literal["sent", "blocked", "failed", "retry"]
    message_id: int | None = None
    error: str = ""
    attempts: int = 1
    chat_id: int = 0
