"""Figures cached per database, region, period and day (`clear_cache` after an import)."""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.compute import compute_stats
from bot.services.stats.period import StatsQuery
from bot.services.stats.result import Stats

CACHE_TTL = 15 * 60.0  # seconds: a safety net when another process imported data
CACHE_SIZE = 256
_Key = tuple[str | None, date, date, date]
_CACHE: weakref.WeakKeyDictionary[Any, OrderedDict[_Key, tuple[float, Stats]]] = (
    weakref.WeakKeyDictionary()
)


def clear_cache() -> None:
    """Forget every cached figure (call after an import changed the data)."""
    _CACHE.clear()


async def get_stats(
    session: AsyncSession, query: StatsQuery, now: datetime, *, use_cache: bool = True
) -> Stats:
    """Statistics for `query`, cached per database, region, period and day."""
    today = now.astimezone(UTC).date()
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    key: _Key = (query.region, query.period.start, query.period.end, today)
    entries = _CACHE.setdefault(engine, OrderedDict())
    hit = entries.get(key) if use_cache else None
    if hit is not None and hit[0] > time.monotonic():
        entries.move_to_end(key)
        return hit[1] if hit[1].period == query.period else replace(hit[1], period=query.period)
    stats = await compute_stats(session, query, today)
    await session.rollback()  # end the read transaction: nothing was written
    entries[key] = (time.monotonic() + CACHE_TTL, stats)
    while len(entries) > CACHE_SIZE:
        entries.popitem(last=False)
    return stats
