"""Russian working days (производственный календарь) for counting deadlines in working days.

A day is non-working when it is a Saturday or a Sunday, a public holiday of ст. 112 ТК РФ
(1–8 January, 23 February, 8 March, 1 May, 9 May, 12 June, 4 November), or a day off
transferred onto a weekday; a weekend day the Government made a working day is working.

The transfers differ every year. They come from the Government's annual decree «О переносе
выходных дней в ... году» and from ч. 2 ст. 112 ТК РФ (a weekend day that coincides with a
holiday outside 1–8 January moves to the next working day, unless the decree moves it
elsewhere). Only the years in `VERIFIED_YEARS` carry them; any other year is computed from
weekends and ст. 112 holidays alone, so its results may be wrong around holidays and callers
should warn the user.

Standard library only; every function is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

__all__ = [
    "SHORTENED_DAYS",
    "VERIFIED_YEARS",
    "add_working_days",
    "is_working_day",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)

# ст. 112 ТК РФ: нерабочие праздничные дни, as (month, day).
_PUBLIC_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, d) for d in range(1, 9)}  # новогодние каникулы 1–6 и 8 января, Рождество 7 января
    | {
        (2, 23),  # День защитника Отечества
        (3, 8),  # Международный женский день
        (5, 1),  # Праздник Весны и Труда
        (5, 9),  # День Победы
        (6, 12),  # День России
        (11, 4),  # День народного единства
    }
)

# Weekdays that are days off in a verified year, beyond the ст. 112 holidays themselves.
_EXTRA_DAYS_OFF: Mapping[int, frozenset[date]] = MappingProxyType(
    {
        # Постановление Правительства РФ от 10.08.2023 № 1314 «О переносе выходных дней
        # в 2024 году»: сб 6 янв → пт 10 мая; вс 7 янв → вт 31 дек; сб 27 апр → пн 29 апр;
        # сб 2 ноя → вт 30 апр; сб 28 дек → пн 30 дек. No holiday outside January falls on a
        # weekend in 2024, so ч. 2 ст. 112 adds nothing.
        2024: frozenset(
            {
                date(2024, 4, 29),
                date(2024, 4, 30),
                date(2024, 5, 10),
                date(2024, 12, 30),
                date(2024, 12, 31),
            }
        ),
        # Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней
        # в 2025 году»: сб 4 янв → пт 2 мая; вс 5 янв → ср 31 дек; вс 23 фев → чт 8 мая;
        # сб 8 мар → пт 13 июн; сб 1 ноя → пн 3 ноя. The decree itself places the days off
        # for 23 February and 8 March, so Monday 24 February and Monday 10 March are working.
        2025: frozenset(
            {
                date(2025, 5, 2),
                date(2025, 5, 8),
                date(2025, 6, 13),
                date(2025, 11, 3),
                date(2025, 12, 31),
            }
        ),
        # Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней
        # в 2026 году»: сб 3 янв → пт 9 янв; вс 4 янв → чт 31 дек.
        # ч. 2 ст. 112 ТК РФ: вс 8 мар → пн 9 мар; сб 9 мая → пн 11 мая.
        2026: frozenset(
            {
                date(2026, 1, 9),
                date(2026, 3, 9),
                date(2026, 5, 11),
                date(2026, 12, 31),
            }
        ),
    }
)

# Saturdays and Sundays that are working days in a verified year (the source day of a transfer).
_WORKING_WEEKENDS: Mapping[int, frozenset[date]] = MappingProxyType(
    {
        2024: frozenset({date(2024, 4, 27), date(2024, 11, 2), date(2024, 12, 28)}),  # № 1314
        2025: frozenset({date(2025, 11, 1)}),  # № 1335
        2026: frozenset(),  # № 1466: no working weekend days
    }
)

VERIFIED_YEARS: frozenset[int] = frozenset(_EXTRA_DAYS_OFF)
"""Years whose transfers are encoded; others use weekends and ст. 112 holidays only.

2027 is deliberately absent: its decree could not be confirmed against a published text.
"""

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
    working_weekends = _WORKING_WEEKENDS.get(d.year)
    if working_weekends is not None and d in working_weekends:
        return True
    if d.weekday() >= 5 or (d.month, d.day) in _PUBLIC_HOLIDAYS:
        return False
    extra_off = _EXTRA_DAYS_OFF.get(d.year)
    return extra_off is None or d not in extra_off


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
