from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import calendar as cal
from bot.calendar import (
    SHORTENED_DAYS,
    VERIFIED_YEARS,
    add_working_days,
    is_working_day,
    working_days_between,
)


def _all_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _non_working(year: int) -> set[date]:
    return {d for d in _all_days(year) if not is_working_day(d)}


def test_verified_years() -> None:
    assert sorted(VERIFIED_YEARS) == [2024, 2025, 2026]
    assert 2027 not in VERIFIED_YEARS


def test_data_is_consistent() -> None:
    assert set(cal._WORKING_WEEKENDS) == VERIFIED_YEARS
    for year, days in cal._EXTRA_DAYS_OFF.items():
        assert all(d.year == year and d.weekday() < 5 for d in days)
    for year, days in cal._WORKING_WEEKENDS.items():
        assert all(d.year == year and d.weekday() >= 5 for d in days)
    for year, days in SHORTENED_DAYS.items():
        assert year in VERIFIED_YEARS
        assert all(d.year == year and is_working_day(d) for d in days)


# Working days per year on a five-day week, as published with each year's calendar.
@pytest.mark.parametrize(("year", "working"), [(2024, 248), (2025, 247), (2026, 247)])
def test_working_days_per_year(year: int, working: int) -> None:
    assert working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == working


@pytest.mark.parametrize("year", sorted(VERIFIED_YEARS))
def test_new_year_holidays_and_4_november(year: int) -> None:
    for day in range(1, 9):
        assert not is_working_day(date(year, 1, day))
    assert not is_working_day(date(year, 11, 4))


def test_2024() -> None:
    # Постановление № 1314: working Saturdays 27 Apr, 2 Nov, 28 Dec.
    for d in (date(2024, 4, 27), date(2024, 11, 2), date(2024, 12, 28)):
        assert d.weekday() == 5 and is_working_day(d)
    for d in (
        date(2024, 2, 23),
        date(2024, 3, 8),
        date(2024, 4, 29),
        date(2024, 4, 30),
        date(2024, 5, 1),
        date(2024, 5, 9),
        date(2024, 5, 10),
        date(2024, 6, 12),
        date(2024, 12, 30),
        date(2024, 12, 31),
    ):
        assert not is_working_day(d), d
    assert is_working_day(date(2024, 1, 9))
    assert is_working_day(date(2024, 11, 5))


def test_2025() -> None:
    # Постановление № 1335: the only working Saturday is 1 Nov.
    assert is_working_day(date(2025, 11, 1))
    for d in (
        date(2025, 5, 2),
        date(2025, 5, 8),
        date(2025, 6, 13),
        date(2025, 11, 3),
        date(2025, 12, 31),
    ):
        assert not is_working_day(d), d
    # 23 Feb (Sun) and 8 Mar (Sat) were moved by the decree, not to the next Monday.
    assert is_working_day(date(2025, 2, 24))
    assert is_working_day(date(2025, 3, 10))
    assert is_working_day(date(2025, 1, 9))
    assert is_working_day(date(2025, 12, 30))


def test_2026() -> None:
    # Постановление № 1466: 3 Jan → 9 Jan, 4 Jan → 31 Dec; ч. 2 ст. 112: 9 Mar, 11 May.
    for d in (
        date(2026, 1, 9),
        date(2026, 2, 23),
        date(2026, 3, 9),
        date(2026, 5, 1),
        date(2026, 5, 11),
        date(2026, 6, 12),
        date(2026, 12, 31),
    ):
        assert not is_working_day(d), d
    assert is_working_day(date(2026, 1, 12))
    assert is_working_day(date(2026, 12, 30))
    assert is_working_day(date(2026, 11, 3))
    assert is_working_day(date(2026, 11, 5))
    # No working weekend days: the days off are exactly the weekends plus 14 weekdays.
    off = _non_working(2026)
    weekends = {d for d in _all_days(2026) if d.weekday() >= 5}
    assert weekends <= off
    assert len(off - weekends) == 14


def test_unverified_year_uses_weekends_and_article_112_only() -> None:
    # 2027: 2 and 3 Jan fall on a weekend; no transfers are applied.
    assert not is_working_day(date(2027, 1, 1))
    assert not is_working_day(date(2027, 1, 8))
    assert is_working_day(date(2027, 1, 11))
    assert is_working_day(date(2027, 12, 31))  # a Friday; no decree transfer applied
    assert not is_working_day(date(2027, 2, 20))  # Saturday stays a day off
    assert not is_working_day(date(2027, 11, 4))
    assert is_working_day(date(2027, 11, 5))


def test_add_working_days_across_new_year() -> None:
    # Accepted Fri 26 Dec 2025: 29, 30 Dec, then 31 Dec – 11 Jan off, then 12–16 Jan.
    assert add_working_days(date(2025, 12, 26), 7) == date(2026, 1, 16)
    assert add_working_days(date(2025, 12, 26), 1) == date(2025, 12, 29)
    assert add_working_days(date(2025, 12, 26), 2) == date(2025, 12, 30)
    assert add_working_days(date(2025, 12, 26), 3) == date(2026, 1, 12)
    # 27 Dec 2024 (Fri) → 28 Dec (working Sat) → 9 Jan 2025.
    assert add_working_days(date(2024, 12, 27), 1) == date(2024, 12, 28)
    assert add_working_days(date(2024, 12, 27), 2) == date(2025, 1, 9)


def test_add_working_days_zero_and_negative() -> None:
    assert add_working_days(date(2025, 12, 30), 0) == date(2025, 12, 30)
    assert add_working_days(date(2025, 12, 31), 0) == date(2026, 1, 12)
    assert add_working_days(date(2024, 11, 2), 0) == date(2024, 11, 2)  # working Saturday
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 1), -1)


def test_working_days_between() -> None:
    assert working_days_between(date(2025, 12, 26), date(2026, 1, 16)) == 7
    assert working_days_between(date(2025, 12, 31), date(2026, 1, 11)) == 0
    assert working_days_between(date(2025, 5, 7), date(2025, 5, 12)) == 1  # 8–11 May off
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0
    assert working_days_between(date(2025, 3, 10), date(2025, 3, 3)) == 0
    # End is counted, start is not.
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 4)) == 1


@pytest.mark.parametrize("start", [date(2023, 12, 20), date(2024, 4, 25), date(2025, 12, 20)])
def test_add_and_between_agree(start: date) -> None:
    for n in range(1, 40):
        end = add_working_days(start, n)
        assert is_working_day(end)
        assert working_days_between(start, end) == n
        assert working_days_between(start, end - timedelta(days=1)) == n - 1


def test_shortened_days() -> None:
    assert date(2025, 11, 1) in SHORTENED_DAYS[2025]  # the working Saturday
    assert date(2026, 5, 8) in SHORTENED_DAYS[2026]
    assert date(2026, 3, 6) not in SHORTENED_DAYS[2026]
    assert 2024 not in SHORTENED_DAYS
