"""Run magic filters on the event loop instead of a thread.

aiogram calls every synchronous filter through `asyncio.to_thread`; magic filters
(`F.text`, `F.chat.type == "private"`, `F.data.startswith(…)`) are synchronous, so each one a
handler is tried against costs a round trip through the thread pool: dozens per update
before a free-text question reaches its handler, most of the bot's reply latency. A magic
filter is a pure attribute look-up on the event; it runs inline here."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject


def _on_loop(resolve: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
    async def call(*args: Any, **kwargs: Any) -> Any:
        return resolve(*args, **kwargs)

    return call


def _handlers(router: Router) -> list[HandlerObject]:
    found: list[HandlerObject] = []
    for observer in router.observers.values():
        found += observer.handlers
        root = getattr(observer, "_handler", None)  # the filters set by `router.message.filter`
        if isinstance(root, HandlerObject):
            found.append(root)
    return found


def inline_magic_filters(root: Router) -> int:
    """Make every magic filter of `root` and its sub-routers awaitable; returns how many."""
    changed = 0
    for router in root.chain_tail:
        for handler in _handlers(router):
            for event_filter in handler.filters or ():
                if _is_magic(event_filter) and not event_filter.awaitable:
                    event_filter.callback = _on_loop(event_filter.callback)
                    event_filter.awaitable = True
                    changed += 1
    return changed


def _is_magic(event_filter: FilterObject) -> bool:
    return event_filter.magic is not None
