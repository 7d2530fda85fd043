"""What is asked: a period (the current month / quarter / year or checked dates) and a region."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.services.errors import BadInput

# The EIS open data starts in 2011 (zakupki.gov.ru); any period from then to the end of next
# year is answered from the monthly cells, so its length costs nothing (15 years = 180 cells).
EARLIEST_YEAR = 2011


@dataclass(frozen=True, slots=True)
class Period:
    start: date  # inclusive
    end: date  # inclusive
    kind: str = "custom"  # month | quarter | year | custom

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[str]:
        """'YYYY-MM' of every month the period touches, in order."""
        out: list[str] = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


@dataclass(frozen=True, slots=True)
class StatsQuery:
    region: str | None  # None: all Russia
    period: Period


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%Y%m%d")


def parse_date(value: str, *, end: bool = False) -> date:
    """A day ('2026-03-01', '01.03.2026'), a month ('2026-03', '03.2026') or a year ('2026');
    a month or a year means its first day, or its last day when `end`."""
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007  (only the date is kept)
        except ValueError:
            continue
    m = re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{1,2})\.(\d{4})", text)
    if m:
        year = int(m.group(1) or m.group(4))
        month = int(m.group(2) or m.group(3))
        if 1 <= month <= 12 and year >= 1:
            first = date(year, month, 1)
            return month_end(first) if end else first
    if re.fullmatch(r"\d{4}", text) and int(text) >= 1:
        return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    raise BadInput(
        f"Не понял дату «{value[:40]}». Пишите так: 2026-03-01, 01.03.2026, 2026-03 или 2026."
    )


def month_end(day: date) -> date:
    nxt = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return nxt - timedelta(days=1)


def make_period(
    kind: str, today: date, start: date | None = None, end: date | None = None
) -> Period:
    """The current month / quarter / year containing `today`, or a checked custom period."""
    if kind == "month":
        first = today.replace(day=1)
        return Period(first, month_end(first), "month")
    if kind == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = month_end(date(first.year, first.month + 2, 1))
        return Period(first, last, "quarter")
    if kind == "year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), "year")
    if kind != "custom":
        raise BadInput(f"Неизвестный период «{kind[:20]}»: month, quarter, year или custom.")
    if start is None or end is None:
        raise BadInput("Для своего периода нужны обе даты: начало и конец.")
    return check_period(Period(start, end, "custom"), today)


def check_period(period: Period, today: date) -> Period:
    if period.start > period.end:
        raise BadInput(
            f"Начало периода ({period.start:%d.%m.%Y}) позже конца ({period.end:%d.%m.%Y}): "
            "поменяйте даты местами."
        )
    if period.start.year < EARLIEST_YEAR:
        raise BadInput(f"Данных ЕИС раньше {EARLIEST_YEAR} года нет: выберите период позже.")
    if period.end.year > today.year + 1:
        raise BadInput(
            f"Период заходит дальше {today.year + 1} года: таких данных ещё нет, "
            "выберите период раньше."
        )
    return period
