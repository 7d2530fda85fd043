"""Answering button presses: aiogram's CallbackAnswerMiddleware, answering only for a handler
that finished. Registered once on the dispatcher (bot/app.py), so every callback handler is
covered and none calls `query.answer()` itself.

The stock middleware answers in a `finally`, so a handler that raised would be answered
empty and the errors router's alert (a domain error's text) rejected as a second answer; a
handler that passed the update on (SkipHandler) would leave the next handler nothing to
answer. Here both leave the answer to whoever handles the press next. Handlers set the text
with the injected `callback_answer` (`.text`, `.show_alert`), answer before they run with
the flag ``{"callback_answer": {"pre": True}}`` (PRE), or — when slow work follows that the
spinner should not wait for — answer midway with ``await callback_answer.now()``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

PRE = {"callback_answer": {"pre": True}}  # flags: answer before the handler runs


class Answer(CallbackAnswer):
    """The injected `callback_answer`: aiogram's, plus `now()`."""

    def __init__(self, query: CallbackQuery, base: CallbackAnswer) -> None:
        super().__init__(
            answered=base.answered,
            disabled=base.disabled,
            text=base.text,
            show_alert=base.show_alert,
            url=base.url,
            cache_time=base.cache_time,
        )
        self._query = query

    async def now(self) -> None:
        """Answer at once (with the text set so far) instead of when the handler returns."""
        if self.disabled or self.answered:
            return
        await self._query.answer(
            text=self.text, show_alert=self.show_alert, url=self.url, cache_time=self.cache_time
        )
        self._answered = True


class AnswerWhenDone(CallbackAnswerMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        base = self.construct_callback_answer(properties=get_flag(data, "callback_answer"))
        answer = data["callback_answer"] = Answer(event, base)
        if not answer.disabled and answer.answered:
            await self.answer(event, answer)
        result = await handler(event, data)
        if not answer.disabled and not answer.answered:
            await self.answer(event, answer)
        return result
