"""What happened to one outgoing message: the sender's answer, in words the outbox stores.

Telegram-free on purpose: `bot.telegram.outbox` produces these, the reminders outbox in
`bot.services` records them, and neither owns the other's vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OutcomeStatus(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # or the chat is gone: the user is marked inactive
    FAILED = "failed"  # Telegram will never accept it
    RETRY = "retry"  # flood wait, server or network error: try again later


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one message (OutcomeStatus)."""

    id: int
    status: OutcomeStatus
    message_id: int | None = None
    error: str = ""
    attempts: int = 1
    chat_id: int = 0
