"""Dates without a time (issue 18): `biddingDate 2026-12-04+05:00` is a day, shown as a day
(«4 декабря, время не указано»), reminded at 09:00 local on the day before and on the day,
and sorted after a deadline with a time on the same day."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.services.schedule import Event, date_event, eis_day, parse_quiet_hours, plan
from bot.sources.eis.values import parse_moment
from bot.ui.cards import procedure_text
from bot.ui.console_text import html_to_text
from tests.template_samples import CARD

EKB = "Asia/Yekaterinburg"


def test_an_eis_day_is_a_day_in_any_zone() -> None:
    for text in ("2026-12-04+05:00", "2026-12-04+03:00", "2026-12-04+12:00", "2026-12-04+02:00"):
        assert eis_day(parse_moment(text)) == date(2026, 12, 4), text
    assert eis_day(parse_moment("2026-12-04T10:00:00+05:00")) is None
    assert eis_day(None) is None


def test_the_card_shows_the_day_without_a_time() -> None:
    card = dataclasses.replace(CARD, auction_at=parse_moment("2026-12-04+05:00"))
    for tz in (EKB, "Europe/Moscow"):  # never «3 декабря» for a Moscow user
        text = html_to_text(procedure_text(card, tz))
        assert "Торги: 4 декабря 2026, время не указано" in text or (
            "Торги: 4 декабря, время не указано" in text
        ), text


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
