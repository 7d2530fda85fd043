"""Dates without a time (issue 18): `biddingDate 2026-12-04+05:00` is a day, kept as a day
(`When.on`, a DATE column) and shown as a day («4 декабря, время не указано»), reminded at
09:00 local on the day before and on the day, and sorted after a deadline with a time on the
same day; a date-time, even at 00:00 local, is a moment. The stored kind decides, never the
hour of a timestamp (tests/test_date_only_storage.py: the database, reminders and the CLI)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cli.payloads import procedure_payload
from bot.services.schedule import Event, date_event, parse_quiet_hours, plan
from bot.sources.eis.values import parse_when
from bot.sources.ocds import parse_json
from bot.sources.records import ProcedureRecord
from bot.sources.when import When, written_day
from bot.ui.cards import procedure_text
from bot.ui.console_text import html_to_text
from tests.template_samples import CARD, CARD_DAYS

EKB = "Asia/Yekaterinburg"


def test_an_eis_day_is_a_day_in_any_zone() -> None:
    for text in (
        "2026-12-04+05:00",
        "2026-12-04+03:00",
        "2026-12-04+12:00",
        "2026-12-04+02:00",
        "2026-12-04-01:00",
        "2026-12-04Z",
        "2026-12-04",
    ):
        assert parse_when(text) == When(on=date(2026, 12, 4)), text
    assert written_day("2026-12-04T00:00:00+05:00") is None


def test_a_time_at_midnight_is_a_moment_not_a_day() -> None:
    """A real 00:00 local used to be read back as a day from the stored hour."""
    at = parse_when("2026-12-04T00:00:00+05:00")
    assert at == When(at=datetime(2026, 12, 3, 19, 0, tzinfo=UTC))
    assert parse_when("2016-08-05T00:00:00") == When(at=datetime(2016, 8, 4, 21, tzinfo=UTC))
    assert not parse_when(None) and not parse_when("")


def test_a_value_is_a_moment_or_a_day_never_both() -> None:
    with pytest.raises(ValueError, match="never both"):
        When(at=datetime(2026, 12, 3, 19, tzinfo=UTC), on=date(2026, 12, 4))


def _ocds_tender(auction: str, award_end: str) -> ProcedureRecord:
    release = {
        "ocid": "ocds-abc-1",
        "id": "1",
        "date": "2026-11-20T10:00:00+02:00",
        "tag": ["tender"],
        "tender": {
            "id": "t1",
            "title": "Поставка бумаги",
            "auctionPeriod": {"startDate": auction},
            "awardPeriod": {"endDate": award_end},
        },
    }
    (doc,) = [d for d in parse_json(json.dumps(release).encode(), "r.json")]
    assert isinstance(doc, ProcedureRecord)
    return doc


def test_an_ocds_date_without_a_time_is_a_day_and_a_date_time_a_moment() -> None:
    """OCDS dates have offsets; a bare date was dropped before, now it is the day."""
    days = _ocds_tender("2026-12-04", "2026-12-07+02:00")
    assert (days.auction_at, days.auction_on) == (None, date(2026, 12, 4))
    assert (days.summarizing_at, days.summarizing_on) == (None, date(2026, 12, 7))
    moments = _ocds_tender("2026-12-04T00:00:00+02:00", "2026-12-07T15:30:00+02:00")
    assert (moments.auction_at, moments.auction_on) == (datetime(2026, 12, 3, 22, tzinfo=UTC), None)
    assert moments.summarizing_at == datetime(2026, 12, 7, 13, 30, tzinfo=UTC)
    assert moments.summarizing_on is None


def test_the_card_shows_the_day_without_a_time() -> None:
    for tz in (EKB, "Europe/Moscow", "Asia/Kamchatka"):  # the day as written, in any zone
        text = html_to_text(procedure_text(CARD_DAYS, tz))
        assert "Торги: 4 декабря 2026, время не указано" in text, text
        assert "Подведение итогов: 7 декабря 2026\n" in text, text


def test_the_card_shows_a_midnight_auction_with_its_time() -> None:
    """A stored moment at 00:00 local is a time, not «время не указано»."""
    midnight = datetime(2026, 12, 4, tzinfo=ZoneInfo(EKB)).astimezone(UTC)
    card = dataclasses.replace(CARD, auction_at=midnight, summarizing_at=midnight)
    text = html_to_text(procedure_text(card, EKB))
    assert "Торги: 4 декабря 2026 в 00:00 (Екатеринбург)" in text, text
    assert "Подведение итогов: 4 декабря 2026 в 00:00 (Екатеринбург)" in text, text
    assert "не указано" not in text


def test_the_json_payload_gives_a_day_as_a_date() -> None:
    days = procedure_payload(CARD_DAYS)
    assert (days["auction_at"], days["auction_on"]) == (None, "2026-12-04")
    assert (days["summarizing_at"], days["summarizing_on"]) == (None, "2026-12-07")
    moments = procedure_payload(CARD)
    assert moments["auction_at"] == "2026-11-30T05:00:00+00:00" and moments["auction_on"] is None


def test_reminders_of_a_day_come_at_nine_the_day_before_and_on_the_day() -> None:
    now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    auction = date_event("auction", date(2026, 12, 4), EKB)
    planned = plan(1, [auction], (4320, 1440, 180), EKB, parse_quiet_hours("22:00-08:00"), now)
    local = [p.due_at.astimezone(ZoneInfo(EKB)) for p in planned]
    assert [(d.day, d.hour, d.minute) for d in local] == [(1, 9, 0), (3, 9, 0), (4, 9, 0)]


def test_a_day_sorts_after_a_deadline_with_a_time_on_that_day() -> None:
    deadline = Event("applications_end", datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo(EKB)))
    auction = date_event("auction", date(2026, 12, 4), EKB)
    assert sorted([auction, deadline], key=lambda e: e.at) == [deadline, auction]


def test_a_day_reminder_says_tomorrow_not_in_two_days() -> None:
    from bot.ui.reminders import _days_between
    from bot.ui.render import render

    auction = date_event("auction", date(2026, 12, 4), EKB)
    due = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo(EKB))  # 09:00 the day before
    days = _days_between(due, auction.at, EKB)
    event = {
        "left": auction.at - due,
        "event_at": auction.at,
        "date_only": True,
        "days_left": days,
        "phrase": "торги",
    }
    text = render(
        "reminders/deadline",
        events=[event],
        tz=EKB,
        sub_kind="procedure",
        target="0374030000026000287",
        title="",
    )
    assert text.startswith("⏰ Завтра, 4 декабря, торги"), text
