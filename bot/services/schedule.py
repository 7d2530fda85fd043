"""Pure reminder rules: lead times, quiet hours, time zones and the plan of due times.

No database here: `plan()` turns events and a user's settings into the reminder rows that
should exist; bot/services/reminders/planner.py reconciles them with the table."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services.errors import BadInput

MIN_LEAD = timedelta(minutes=5)
MAX_LEAD = timedelta(days=60)
MAX_LEADS = 6
# A date-only event (an auction day, a stage end) lasts the whole local day, so it sorts after a
# deadline with a time on the same day; its reminders come at 09:00 local, on the day and on
# whole days before it, never «3 hours before midnight».
DATE_EVENT_TIME = time(9, 0)
DATE_EVENT_END = time(23, 59)
# A catch-up reminder (every lead time already behind) goes a minute after it is planned, so
# the confirmation of a subscription comes first; its key ends in ASAP, its lead is 0.
ASAP = "asap"
ASAP_DELAY = timedelta(minutes=1)
_LEAD_RE = re.compile(r"^\s*(-?\d{1,6}(?:\.\d{1,3})?)\s*([a-zа-я]+)\s*$")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d{1,3}\s*[a-zа-я])")  # «1,5 дня», not «3,1d»
_UNITS = {
    "m": 1, "min": 1, "мин": 1, "м": 1, "минута": 1, "минуты": 1, "минут": 1, "минуту": 1,
    "h": 60, "ч": 60, "час": 60, "часа": 60, "часов": 60,
    "d": 1440, "д": 1440, "дн": 1440, "день": 1440, "дня": 1440, "дней": 1440,
    "сутки": 1440, "суток": 1440, "w": 10080, "нед": 10080, "неделя": 10080,
    "недели": 10080, "недель": 10080, "неделю": 10080,
}  # fmt: skip
# «22:00-08:00», «с 23 до 7», «23-7», «с 22.30 до 8»
_QUIET_RE = re.compile(
    r"^\s*(?:с\s*)?(\d{1,2})(?:[:.](\d{2}))?\s*(?:ч\.?|часов)?\s*(?:[-–—]|до)\s*"
    r"(\d{1,2})(?:[:.](\d{2}))?\s*(?:ч\.?|часов|утра)?\s*$"
)
_LEAD_JOINERS = re.compile(r"(?:^|\s+)(?:и\s+за|и|за)\s+")
OFF_WORDS = frozenset({"", "-", "—", "нет", "off", "выкл", "выключить", "none"})

# Russian city names people type, mapped to IANA zones.
CITY_ZONES = {
    "калининград": "Europe/Kaliningrad",
    "москва": "Europe/Moscow",
    "мск": "Europe/Moscow",
    "самара": "Europe/Samara",
    "екатеринбург": "Asia/Yekaterinburg",
    "челябинск": "Asia/Yekaterinburg",
    "омск": "Asia/Omsk",
    "новосибирск": "Asia/Novosibirsk",
    "красноярск": "Asia/Krasnoyarsk",
    "иркутск": "Asia/Irkutsk",
    "якутск": "Asia/Yakutsk",
    "владивосток": "Asia/Vladivostok",
    "магадан": "Asia/Magadan",
    "камчатка": "Asia/Kamchatka",
}


def parse_lead_times(text: str) -> tuple[int, ...]:
    """'3д, 1д, 3ч' or '3d,1d,3h' -> minutes, longest first. Units д, ч, м (and Latin d, h,
    m, w, whole words); decimals with a comma or a point: «1,5 дня» is 36 hours."""
    plain = _LEAD_JOINERS.sub(",", text.strip().lower())  # «за 2 дня и 5 часов»
    plain = _DECIMAL_COMMA.sub(".", plain)
    parts = [p for p in re.split(r"[,;\s]+(?=-?\d)", plain) if p.strip(" ,")]
    if not parts:
        raise BadInput("Укажите хотя бы один срок, например: 3д, 1д, 3ч.")
    minutes: set[int] = set()
    for part in parts:
        match = _LEAD_RE.match(part.replace(",", "").replace("ё", "е"))
        if match is None or match.group(2) not in _UNITS:
            raise BadInput(
                f"Не понял срок «{part.strip()[:20]}»: пишите число и единицу — "
                "д (дни), ч (часы) или м (минуты), например «за 3 дня, за 3 часа» или 3д, 3ч."
            )
        exact = Decimal(match.group(1)) * _UNITS[match.group(2)]
        if exact != exact.to_integral_value():
            raise BadInput(f"Срок «{part.strip()[:20]}» не делится на целые минуты.")
        value = int(exact)
        if not MIN_LEAD <= timedelta(minutes=value) <= MAX_LEAD:
            raise BadInput(f"Срок «{part.strip()[:20]}» вне допустимого: от 5 минут до 60 дней.")
        minutes.add(value)
    if len(minutes) > MAX_LEADS:
        raise BadInput(f"Не больше {MAX_LEADS} сроков напоминаний.")
    return tuple(sorted(minutes, reverse=True))


def format_lead(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def format_leads(leads: tuple[int, ...]) -> str:
    return ",".join(format_lead(m) for m in leads)


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def end_after(self, local: datetime) -> datetime:
        """The first end of quiet hours after a local moment inside them."""
        candidate = local.replace(
            hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0
        )
        return candidate if candidate > local else candidate + timedelta(days=1)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """'22:00-08:00' -> QuietHours; empty, '-', 'нет', 'off' -> None (disabled)."""
    value = text.strip().lower()
    if value in OFF_WORDS:
        return None
    match = _QUIET_RE.match(value)
    if match is None:
        raise BadInput(
            "Тихие часы пишите так: 22:00-08:00 или «с 23 до 7» (или «нет», чтобы отключить)."
        )
    h1, m1, h2, m2 = (int(g or 0) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise BadInput("В сутках 24 часа и 60 минут в часе: проверьте время тихих часов.")
    quiet = QuietHours(time(h1, m1), time(h2, m2))
    if quiet.start == quiet.end:
        raise BadInput("Начало и конец тихих часов совпадают: укажите разные времена.")
    return quiet


def resolve_timezone(text: str) -> str:
    """An IANA zone ('Asia/Omsk') or a Russian city name ('Омск') -> IANA name."""
    value = text.strip()
    city = CITY_ZONES.get(value.lower().replace("ё", "е"))
    if city:
        return city
    if not re.fullmatch(r"[A-Za-z_]+(?:/[A-Za-z_+\-0-9]+){1,2}", value):
        raise BadInput(
            f"Не знаю часовой пояс «{value[:40]}». Выберите кнопкой или напишите "
            "город (Москва, Екатеринбург, Новосибирск…) или имя пояса вроде Asia/Omsk."
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"Не знаю часовой пояс «{value[:40]}».") from None
    return value


@dataclass(frozen=True, slots=True)
class Event:
    """Something a subscriber wants to hear about before it happens."""

    name: str  # applications_end | auction | summarizing | stage_end | execution_end | payment_due
    at: datetime  # aware UTC
    number: int = 0  # stage number for stage_end
    date_only: bool = False

    @property
    def key(self) -> str:
        return f"{self.name}:{self.number}" if self.number else self.name


def date_event(name: str, day: date, tz: str, number: int = 0) -> Event:
    local = datetime.combine(day, DATE_EVENT_END, tzinfo=ZoneInfo(tz))
    return Event(name, local.astimezone(UTC), number, date_only=True)


def date_due(event_at: datetime, lead_minutes: int, tz: str, quiet: QuietHours | None) -> datetime:
    """09:00 local on the event's day minus whole days of the lead (under a day: on the day),
    moved to the end of quiet hours when 09:00 is inside them."""
    zone = ZoneInfo(tz)
    day = event_at.astimezone(zone).date() - timedelta(days=lead_minutes // 1440)
    local = datetime.combine(day, DATE_EVENT_TIME, tzinfo=zone)
    if quiet is not None and quiet.contains(local.time()):
        local = quiet.end_after(local)
    return min(local.astimezone(UTC), event_at)


@dataclass(frozen=True, slots=True)
class Planned:
    key: str
    event: Event
    lead_minutes: int
    due_at: datetime


def due_time(event_at: datetime, lead_minutes: int, tz: str, quiet: QuietHours | None) -> datetime:
    """Event minus lead, moved to the end of quiet hours unless the event would pass first."""
    return _after_quiet(event_at - timedelta(minutes=lead_minutes), event_at, tz, quiet)


def _after_quiet(due: datetime, event_at: datetime, tz: str, quiet: QuietHours | None) -> datetime:
    """`due`, or the end of the quiet hours it falls in when that end still precedes the event."""
    if quiet is None:
        return due
    local = due.astimezone(ZoneInfo(tz))
    if not quiet.contains(local.time()):
        return due
    moved = quiet.end_after(local).astimezone(UTC)
    return moved if moved < event_at else due


def plan(
    subscription_id: int,
    events: list[Event],
    leads: tuple[int, ...],
    tz: str,
    quiet: QuietHours | None,
    now: datetime,
) -> list[Planned]:
    """Every (event, lead) reminder that should exist for events still ahead."""
    out: list[Planned] = []
    for event in events:
        if event.at <= now:
            continue
        days: set[int] = set()
        for lead in leads:
            key = f"s{subscription_id}:{event.key}:{lead}"
            if event.date_only:
                if lead // 1440 in days:  # 3h and 1h both mean «on the day, at 09:00»
                    continue
                days.add(lead // 1440)
                out.append(Planned(key, event, lead, date_due(event.at, lead, tz, quiet)))
            else:
                out.append(Planned(key, event, lead, due_time(event.at, lead, tz, quiet)))
    return out


def asap_due(event_at: datetime, tz: str, quiet: QuietHours | None, now: datetime) -> datetime:
    """The earliest allowed moment for a catch-up reminder: a minute from now (at once when the
    event is nearer), moved to the end of quiet hours when that end still comes before the
    event; otherwise it stays inside them — a reminder at night beats none."""
    due = now + ASAP_DELAY if now + ASAP_DELAY < event_at else now
    return _after_quiet(due, event_at, tz, quiet)


def catch_up(
    subscription_id: int,
    events: list[Event],
    planned: list[Planned],
    tz: str,
    quiet: QuietHours | None,
    now: datetime,
    reminded: Collection[str] = (),
) -> list[Planned]:
    """One reminder at the earliest allowed moment (`asap_due`) for each event still ahead
    whose every planned lead is already behind, unless the event is in `reminded` (event
    keys already reminded about, or with a reminder due and still to go): a subscriber hears
    at least once about every deadline ahead, and never twice because of this rule."""
    ahead = {p.event.key for p in planned if p.due_at >= now}
    out: list[Planned] = []
    for event in events:
        if event.at <= now or event.key in ahead or event.key in reminded:
            continue
        key = f"s{subscription_id}:{event.key}:{ASAP}"
        out.append(Planned(key, event, 0, asap_due(event.at, tz, quiet, now)))
    return out
