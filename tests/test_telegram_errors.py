"""Error kinds of failed Bot API calls are decided in one place (bot/telegram/errors.py)."""

from __future__ import annotations

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage

from bot.telegram.errors import ErrorKind, classify

METHOD = SendMessage(chat_id=1, text="x")


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"), "blocked"),
        (TelegramBadRequest(METHOD, "Bad Request: chat not found"), "gone"),
        (TelegramBadRequest(METHOD, "Bad Request: message to edit not found"), "gone"),
        (TelegramBadRequest(METHOD, "Bad Request: message can't be edited"), "gone"),
        (TelegramBadRequest(METHOD, "Bad Request: message is not modified: x"), "not_modified"),
        (TelegramRetryAfter(METHOD, "Too Many Requests", retry_after=3), "throttled"),
        (TelegramServerError(METHOD, "Bad Gateway"), "transient"),
        (TelegramNetworkError(METHOD, "timeout"), "transient"),
        (TimeoutError(), "transient"),
        (TelegramBadRequest(METHOD, "Bad Request: can't parse entities"), "failed"),
        (ValueError("not a Telegram error"), "failed"),
    ],
)
def test_classify(exc: BaseException, kind: str) -> None:
    assert classify(exc) == ErrorKind(kind)
