"""Data imports on a schedule: the import directory and the daily EIS sync."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.services import Clock, Sessionmaker
from bot.services.sync import sync_days, sync_directory
from bot.sources.base import DirectorySource, Source

log = logging.getLogger("smebot.jobs")


async def import_directory_job(
    sessionmaker: Sessionmaker, source: DirectorySource, clock: Clock
) -> None:
    try:
        await sync_directory(sessionmaker, source, clock)
    except Exception:
        log.exception("import from %s failed; will retry on the next run", source.directory)


async def eis_sync_job(
    sessionmaker: Sessionmaker,
    source: Source,
    regions: list[str],
    timezone: str,
    clock: Clock,
    scratch: Path,
) -> None:
    """Yesterday and today (local time) for every configured region."""
    today = clock().astimezone(ZoneInfo(timezone)).date()
    try:
        summary = await sync_days(
            sessionmaker, source, regions, [today - timedelta(days=1), today], clock, scratch
        )
        log.info("EIS sync: %s", summary.as_dict() | {"errors": len(summary.errors)})
    except Exception:
        log.exception("EIS sync failed; will retry on the next run")
