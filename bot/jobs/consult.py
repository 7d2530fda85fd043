"""Scheduled job of the consultants' desk: re-announce consultations waiting too long.

A consultation whose user has waited longer than CONSULT_SLA_HOURS for an answer is posted
again where consultants see it (its forum topic, a reply to its card in the group, or
privately to the consultant who took it / all staff), at most once per SLA period: the row
is claimed with a conditional update before sending, so restarts and several processes
never announce it twice in a period; a failed send releases the claim for the next run."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter

from bot.services import Clock, Sessionmaker
from bot.services.consultations import (
    claim_announcement,
    overdue,
    record_posts,
    release_announcement,
)
from bot.services.roles import staff_ids
from bot.telegram.desk import notify_staff
from bot.ui.consult import reannounce_message

log = logging.getLogger("smebot.consult")
MAX_PER_RUN = 15  # groups take about 20 messages a minute; the rest go on the next run


async def sla_job(
    sessionmaker: Sessionmaker,
    bot: Bot,
    clock: Clock,
    *,
    sla_hours: float,
    admin_ids: list[int],
    consultant_ids: list[int],
    limit: int = MAX_PER_RUN,
) -> int:
    """Re-announce overdue consultations; returns how many were announced. Never raises."""
    try:
        return await _run(sessionmaker, bot, clock, sla_hours, admin_ids, consultant_ids, limit)
    except Exception:
        log.exception("consultation SLA job failed; will retry on the next run")
        return 0


async def _run(
    sessionmaker: Sessionmaker,
    bot: Bot,
    clock: Clock,
    sla_hours: float,
    admin_ids: list[int],
    consultant_ids: list[int],
    limit: int,
) -> int:
    now = clock()
    async with sessionmaker() as session:
        due = (await overdue(session, now, sla_hours))[:limit]
        everyone = await staff_ids(session, admin_ids, consultant_ids) if due else []
    announced = 0
    for c in due:
        async with sessionmaker() as session:
            claim = await claim_announcement(session, c.id, now, sla_hours)
        if not claim.claimed:
            continue
        recipients = [c.consultant_id] if c.consultant_id is not None else everyone
        try:
            posted = await notify_staff(bot, c, reannounce_message(c, now), recipients)
        except TelegramRetryAfter as exc:
            log.info("SLA announcements throttled for %ss; the rest wait", exc.retry_after)
            async with sessionmaker() as session:
                await release_announcement(session, c.id, claim.previous)
            break
        async with sessionmaker() as session:
            if posted:
                await record_posts(session, c.id, posted)
                announced += 1
            else:
                await release_announcement(session, c.id, claim.previous)
    if announced:
        log.info("re-announced %d overdue consultations", announced)
    return announced
