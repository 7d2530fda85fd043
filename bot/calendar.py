"""Russian working days (производственный календарь) for counting deadlines in working days.

A day is non-working when it is a Saturday or a Sunday, a public holiday of ст. 112 ТК РФ
(1–8 January, 23 February, 8 March, 1 May, 9 May, 12 June, 4 November), or a day off
transferred onto a weekday; a weekend day the Government made a working day is working.

The days come from the `holidays` package (its Russian calendar carries every year's decree
«О переносе выходных дней в ... году» with its source, and the days off of ч. 2 ст. 112 ТК РФ).
A year after the last decree the package knows (`published_through()`) is *preliminary*: it is
computed from weekends, ст. 112 holidays and the ч. 2 ст. 112 rule (a holiday outside 1–8
January that falls on a weekend moves to the next working day), and callers say so to the user
(«по предварительному календарю»). Upgrading `holidays` extends the published years.

Every function is pure; the per-year tables are built on first use, not at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType

__all__ = [
    "SHORTENED_DAYS",
    "add_working_days",
    "is_preliminary",
    "is_working_day",
    "published_through",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)


@cache
def published_through() -> int:
    """The last year whose transfer decree the installed `holidays` package carries."""
    from holidays.countries.russia import RussiaStaticHolidays

    return max(RussiaStaticHolidays.special_public_holidays)


def is_preliminary(d: date | int) -> bool:
    """Whether the calendar of this day's (or this) year is not published yet."""
    year = d if isinstance(d, int) else d.year
    return year > published_through()


@cache
def _year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off that are not weekends or are holidays, working weekend days) of a year."""
    import holidays

    ru = holidays.country_holidays("RU", years=year)
    off = {d for d in ru if d.year == year}
    working = frozenset(d for d in ru.weekend_workdays if d.year == year)
    if is_preliminary(year):
        # ч. 2 ст. 112 ТК РФ: a holiday outside January on a weekend moves to the next
        # weekday that is neither a weekend nor a holiday (the decree may move it elsewhere).
        for d in sorted(off):
            if d.month > 1 and d.weekday() >= 5:
                moved = d + _ONE_DAY
                while moved.weekday() >= 5 or moved in off:
                    moved += _ONE_DAY
                off.add(moved)
    return frozenset(off), working


SHORTENED_DAYS: Mapping[int, frozenset[date]] = MappingProxyType(
    {
        # Pre-holiday days shortened by one hour (ст. 95 ТК РФ), as published for 2025.
        2025: frozenset(
            {date(2025, 3, 7), date(2025, 4, 30), date(2025, 6, 11), date(2025, 11, 1)}
        ),
        # As announced for 2026 (Госдума, комитет по труду, February 2026).
        2026: frozenset(
            {date(2026, 4, 30), date(2026, 5, 8), date(2026, 6, 11), date(2026, 11, 3)}
        ),
    }
)
"""Shortened pre-holiday working days, only for the years listed (2024 is not covered).

They are still working days; this only tells a caller the working day is one hour shorter.
"""


def is_working_day(d: date) -> bool:
    """Whether `d` is a working day on a five-day week (shortened days count as working)."""
    days_off, working_weekends = _year(d.year)
    if d in working_weekends:
        return True
    return d.weekday() < 5 and d not in days_off


def _next_working_day(d: date) -> date:
    """The first working day strictly after `d`."""
    d += _ONE_DAY
    while not is_working_day(d):
        d += _ONE_DAY
    return d


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after `d`, not counting `d` itself.

    With n == 0: `d` if it is a working day, otherwise the next working day.
    Raises ValueError for a negative n.
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    if n == 0:
        return d if is_working_day(d) else _next_working_day(d)
    for _ in range(n):
        d = _next_working_day(d)
    return d


def working_days_between(start: date, end: date) -> int:
    """The number of working days in (start, end]; 0 when end is not after start."""
    count = 0
    d = start + _ONE_DAY
    while d <= end:
        if is_working_day(d):
            count += 1
        d += _ONE_DAY
    return count
