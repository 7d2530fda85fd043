"""What a failed Bot API call means, decided in one place (never by substring elsewhere)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

# 400 answers saying the chat or the message acted on is not there (or no longer editable)
GONE_MARKS = ("chat not found", "message to edit not found", "can't be edited")
NOT_MODIFIED_MARK = "message is not modified"


class ErrorKind(StrEnum):
    BLOCKED = "blocked"  # 403: the user blocked the bot, was deactivated, kicked it out
    GONE = "gone"  # 400: the chat or the message to act on is not there any more
    NOT_MODIFIED = "not_modified"  # 400: an edit that changes nothing (not an error)
    THROTTLED = "throttled"  # 429: Telegram asks to wait `retry_after` seconds
    TRANSIENT = "transient"  # 5xx, network errors, timeouts: worth retrying later
    FAILED = "failed"  # anything else: a request Telegram will never accept


def classify(exc: BaseException) -> ErrorKind:
    """The kind of a failed call (see ErrorKind); unknown exceptions are FAILED."""
    if isinstance(exc, TelegramRetryAfter):
        return ErrorKind.THROTTLED
    if isinstance(exc, TelegramForbiddenError):
        return ErrorKind.BLOCKED
    if isinstance(exc, TelegramBadRequest):
        text = exc.message.lower()
        if NOT_MODIFIED_MARK in text:
            return ErrorKind.NOT_MODIFIED
        if any(mark in text for mark in GONE_MARKS):
            return ErrorKind.GONE
        return ErrorKind.FAILED
    if isinstance(exc, TelegramServerError | TelegramNetworkError | TimeoutError):
        return ErrorKind.TRANSIENT
    return ErrorKind.FAILED
