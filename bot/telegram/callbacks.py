"""Answering button presses: aiogram's CallbackAnswerMiddleware, answering only for a handler
that finished.

The stock middleware answers in a `finally`, so a handler that raised would be answered
empty and the errors router's alert (a domain error's text) rejected as a second answer; a
handler that passed the update on (SkipHandler) would leave the next handler nothing to
answer. Here both leave the answer to whoever handles the press next. Handlers set the text
with the injected `callback_answer` (`.text`, `.show_alert`), or answer before they run with
the flag ``{"callback_answer": {"pre": True}}``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

PRE = {"callback_answer": {"pre": True}}  # flags: answer before the handler runs


class AnswerWhenDone(CallbackAnswerMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        answer = data["callback_answer"] = self.construct_callback_answer(
            properties=get_flag(data, "callback_answer"),
        )
        if not answer.disabled and answer.answered:
            await self.answer(event, answer)
        result = await handler(event, data)
        if not answer.disabled and not answer.answered:
            await self.answer(event, answer)
        return result
