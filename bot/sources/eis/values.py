"""Value parsers for EIS documents: moments, days, money, integers, flags, region codes.

Date rules: date-times keep their own offset and are converted to UTC; values without an
offset (223-ФЗ) are Europe/Moscow. A day with a zone (`2025-10-22+03:00`) is a calendar day in
that zone: `parse_when` keeps it as that day (an auction's or a summing-up's day, stored in a
DATE column), `parse_moment` takes its start where only a moment will do (a publish date).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from bot.sources.when import DAY_RE, NEITHER, When, written_day

MOSCOW = ZoneInfo("Europe/Moscow")


class DocumentError(ValueError):
    """A well-formed document that cannot be mapped (missing or invalid required data)."""


def _zone(suffix: str | None, default: tzinfo) -> tzinfo:
    if not suffix:
        return default
    if suffix == "Z":
        return UTC
    return datetime.fromisoformat(f"2000-01-01T00:00:00{suffix}").tzinfo or default


def parse_moment(text: str | None, naive: tzinfo = MOSCOW) -> datetime | None:
    """A date-time (or a day, taken at its start) as an aware UTC datetime."""
    if not text:
        return None
    day = DAY_RE.match(text)
    if day:
        local = datetime.combine(date.fromisoformat(day.group(1)), time.min)
        return local.replace(tzinfo=_zone(day.group(2), naive)).astimezone(UTC)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive)
    return value.astimezone(UTC)


def parse_when(text: str | None, naive: tzinfo = MOSCOW) -> When:
    """A date written without a time (`2026-12-04+05:00`, `2026-12-04`) → that day; a
    date-time → its moment in UTC (no offset: `naive`); nothing → neither."""
    if not text:
        return NEITHER
    day = written_day(text)
    if day is not None:
        return When(on=day)
    return When(at=parse_moment(text, naive))


def parse_date(text: str | None) -> date | None:
    """A calendar date as written (`2025-10-07`, `2025-10-22+03:00`, `1995-03-30T00:00:00`)."""
    if not text:
        return None
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        raise DocumentError(f"bad date {text!r}")
    return date.fromisoformat(text[:10])


def registry_number(text: str | None, tag: str) -> str:
    """A 44-ФЗ registry number (purchaseNumber, regNum): ASCII digits only; a number with a
    letter in it would be imported and then never found by the digits a user types."""
    number = (text or "").strip()
    if not number:
        raise DocumentError(f"no {tag}")
    if not re.fullmatch(r"[0-9]+", number):
        raise DocumentError(f"bad {tag} {number[:40]!r}: a registry number has digits only")
    return number


def parse_money(text: str | None) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise DocumentError(f"bad amount {text!r}") from exc
    if not value.is_finite():
        raise DocumentError(f"bad amount {text!r}")
    return value


def parse_int(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise DocumentError(f"bad integer {text!r}") from exc


def parse_bool(text: str | None) -> bool:
    return (text or "").strip().lower() in {"true", "1"}


def region_code(kpp: str | None, inn: str | None) -> str | None:
    """Two-digit subject code: KPP first (FORMATS §16), then INN.

    KPP codes starting with 99 belong to the inspectorate for the largest taxpayers and say
    nothing about the region, so they fall through to the INN.
    """
    for code, banned in ((kpp, {"00", "99"}), (inn, {"00"})):
        if code and len(code) >= 2 and code[:2].isdigit() and code[:2] not in banned:
            return code[:2]
    return None


def decode_customer_code(code: str | None) -> tuple[str | None, str | None]:
    """IKZ `customerCode` = 1 digit + INN (10) + KPP (9)."""
    if code and len(code) == 20 and code.isdigit():
        return code[1:11], code[11:20]
    return None, None


def dedupe(values: list[str]) -> tuple[str, ...]:
    """The non-empty values in their first order, each once."""
    return tuple(dict.fromkeys(v for v in values if v))
