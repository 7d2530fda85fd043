"""A moment or a day: how the parsers keep a date the source gives without a time.

The EIS writes an auction's or a summing-up's day as an xsd:date, with its zone or without
one (`biddingDate 2026-12-04+05:00`); OCDS may write a bare `2026-12-04`. Such a value is a
calendar day, not a moment: it is kept as the day written (`When.on`, a `date`) and stored
in a DATE column; a value with a time is a moment (`When.at`, aware UTC). Never both."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

# a date without a time, with its zone or without one: group 1 the day, group 2 the zone
DAY_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$")


def written_day(text: str | None) -> date | None:
    """The day of a date written without a time (`2026-12-04`, `2026-12-04+05:00`,
    `2026-12-04Z`) as written; None for anything else (a date-time, garbage, nothing)."""
    match = DAY_RE.match(text.strip()) if text else None
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class When:
    """A moment (`at`, aware UTC) or a day without a time (`on`), never both; false when
    the source gave neither."""

    at: datetime | None = None
    on: date | None = None

    def __post_init__(self) -> None:
        if self.at is not None and self.on is not None:
            raise ValueError("a value is a moment or a day, never both")

    def __bool__(self) -> bool:
        return self.at is not None or self.on is not None


NEITHER = When()
