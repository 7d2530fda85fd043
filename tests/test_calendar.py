from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

import pytest

from bot.calendar import (
    SHORTENED_DAYS,
    add_working_days,
    is_preliminary,
    is_working_day,
    published_through,
    working_days_between,
)

# The production calendar as it was kept by hand before the `holidays` package (issue 17):
# the package must agree with it day by day.
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


def _all_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _non_working(year: int) -> set[date]:
    return {d for d in _all_days(year) if not is_working_day(d)}


_ARTICLE_112 = frozenset(
    {(1, d) for d in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)}
)


def _hand_kept_working(d: date) -> bool:
    if d in _WORKING_WEEKENDS[d.year]:
        return True
    if d.weekday() >= 5 or (d.month, d.day) in _ARTICLE_112:
        return False
    return d not in _EXTRA_DAYS_OFF[d.year]


@pytest.mark.parametrize("year", sorted(VERIFIED_YEARS))
def test_holidays_package_agrees_with_the_hand_kept_tables(year: int) -> None:
    differ = [d for d in _all_days(year) if is_working_day(d) != _hand_kept_working(d)]
    assert differ == []


def test_published_years() -> None:
    # The installed `holidays` carries the 2027 decree (Постановление от 2026 г., consultant.ru).
    assert published_through() >= 2027
    assert not is_preliminary(date(2027, 5, 11))
    assert not is_preliminary(2020)
    assert is_preliminary(published_through() + 1)


def test_data_is_consistent() -> None:
    for year, days in SHORTENED_DAYS.items():
        assert not is_preliminary(year)
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


def test_2027_follows_the_decree() -> None:
    # 2 Jan → 5 Nov, 3 Jan → 31 Dec, Sat 20 Feb worked for Mon 22 Feb; ч. 2 ст. 112: 1 May
    # (Sat) → 3 May, 9 May (Sun) → 10 May, 12 Jun (Sat) → 14 Jun.
    for d in (
        date(2027, 2, 22),
        date(2027, 5, 3),
        date(2027, 5, 10),
        date(2027, 6, 14),
        date(2027, 11, 5),
        date(2027, 12, 31),
    ):
        assert not is_working_day(d), d
    assert is_working_day(date(2027, 2, 20))
    assert is_working_day(date(2027, 1, 11))
    # The case: acceptance 28.04.2027 + 7 working days (was 07.05 by the old tables).
    assert add_working_days(date(2027, 4, 28), 7) == date(2027, 5, 11)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2020, 2, 20), 2, date(2020, 2, 25)),  # 24 Feb 2020: 23 Feb (Sun) moved
        (date(2021, 4, 29), 2, date(2021, 5, 4)),  # 3 May 2021: 1 May (Sat) moved
        (date(2022, 3, 4), 1, date(2022, 3, 5)),  # Sat 5 Mar 2022 worked for Mon 7 Mar
        (date(2022, 3, 4), 2, date(2022, 3, 9)),
        (date(2023, 11, 3), 1, date(2023, 11, 7)),  # 6 Nov 2023: 4 Nov (Sat) moved
    ],
)
def test_2020_to_2023_transfers(start: date, n: int, due: date) -> None:
    assert add_working_days(start, n) == due


def test_preliminary_year_applies_article_112_part_2() -> None:
    year = published_through() + 1
    assert is_preliminary(date(year, 1, 1))
    for d in _all_days(year):
        if (d.month, d.day) in _ARTICLE_112:
            assert not is_working_day(d), d
        if d.month > 1 and (d.month, d.day) in _ARTICLE_112 and d.weekday() == 6:
            assert not is_working_day(d + timedelta(days=1)), d  # Sunday holiday → Monday


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
    with pytest.raises(ValueError, match="non-negative"):
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
