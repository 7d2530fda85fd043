"""The daily retention job: old question texts and closed consultations are deleted."""

from __future__ import annotations

import logging

from bot.services import Clock, Sessionmaker
from bot.services.privacy import Retention, apply_retention

log = logging.getLogger("smebot.jobs")


async def retention_job(
    sessionmaker: Sessionmaker, clock: Clock, *, question_days: int, consultation_days: int
) -> Retention | None:
    """Delete question texts and closed consultations past their retention (daily)."""
    try:
        async with sessionmaker() as session:
            done = await apply_retention(
                session,
                clock(),
                question_days=question_days,
                consultation_days=consultation_days,
            )
    except Exception:
        log.exception("retention job failed; will retry on the next run")
        return None
    if done.question_texts or done.consultations:
        log.info(
            "retention: %d question texts and %d closed consultations deleted",
            done.question_texts,
            done.consultations,
        )
    return done
