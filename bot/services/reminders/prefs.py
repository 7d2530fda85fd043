"""A user's reminder settings: lead times, time zone, quiet hours, news; the defaults."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import NotFound
from bot.services.schedule import QuietHours, format_leads, parse_lead_times, parse_quiet_hours
from models import User


@dataclass(frozen=True, slots=True)
class Defaults:
    """Configured defaults: REMINDER_LEAD_TIMES, QUIET_HOURS, DEFAULT_TIMEZONE."""

    lead_times: str = "3d,1d,3h"
    quiet_hours: str = "22:00-08:00"
    timezone: str = "Asia/Yekaterinburg"


@dataclass(frozen=True, slots=True)
class Prefs:
    leads: tuple[int, ...]
    timezone: str
    quiet: QuietHours | None
    news: bool
    custom_leads: bool
    custom_quiet: bool

    @property
    def leads_text(self) -> str:
        return format_leads(self.leads)


def prefs_of(user: User, defaults: Defaults) -> Prefs:
    leads_text = user.lead_times if user.lead_times is not None else defaults.lead_times
    quiet_text = user.quiet_hours if user.quiet_hours is not None else defaults.quiet_hours
    return Prefs(
        leads=parse_lead_times(leads_text),
        timezone=user.timezone,
        quiet=parse_quiet_hours(quiet_text),
        news=user.news,
        custom_leads=user.lead_times is not None,
        custom_quiet=user.quiet_hours is not None,
    )


async def load_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("Напишите боту /start, чтобы настроить напоминания.")
    return user


async def get_prefs(session: AsyncSession, user_id: int, defaults: Defaults) -> Prefs:
    return prefs_of(await load_user(session, user_id), defaults)
