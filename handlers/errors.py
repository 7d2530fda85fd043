"""The one error handler: domain errors become friendly texts, others are logged."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import ErrorEvent

from bot.services.errors import DomainError
from bot.telegram.errors import ErrorKind, classify
from bot.ui.render import render

log = logging.getLogger("smebot.errors")


async def on_error(event: ErrorEvent) -> bool:
    exc = event.exception
    update = event.update
    kind = classify(exc)
    if kind is ErrorKind.NOT_MODIFIED:
        if update.callback_query is not None:
            await _safe(update.callback_query.answer())
        return True
    if kind is ErrorKind.BLOCKED:
        log.info("user blocked the bot during update %s: %s", update.update_id, exc)
        return True
    if isinstance(exc, DomainError):
        text = render("common/domain_error", code=exc.code, detail=exc.detail)
    else:
        log.exception("update %s failed", update.update_id, exc_info=exc)
        text = render("common/error")
    if update.callback_query is not None:
        await _safe(update.callback_query.answer(text[:200], show_alert=True))
    elif update.message is not None:
        await _safe(update.message.answer(text))
    return True


async def _safe(awaitable: object) -> None:
    try:
        await awaitable  # type: ignore[misc]
    except Exception:  # the user must not see a second failure, the log must
        log.warning("could not deliver the error message", exc_info=True)


def build_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
