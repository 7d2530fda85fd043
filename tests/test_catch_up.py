"""The catch-up rule without a database: an event ahead whose every lead time is behind
gets one reminder at the earliest allowed moment, never after the event."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.services.schedule import (
    ASAP_DELAY,
    Event,
    QuietHours,
    asap_due,
    catch_up,
    date_event,
    plan,
)

EKB = "Asia/Yekaterinburg"  # UTC+5
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 10:00 local
QUIET = QuietHours(time(22), time(8))
WEEK = (10080,)


def _all(events: list[Event], leads: tuple[int, ...], now: datetime = NOW) -> list[str]:
    planned = plan(7, events, leads, EKB, QUIET, now)
    extra = catch_up(7, events, planned, EKB, QUIET, now)
    return [p.key for p in planned if p.due_at >= now] + [p.key for p in extra]


def test_a_week_ahead_lead_for_a_deadline_in_two_days_still_reminds_once() -> None:
    event = Event("applications_end", NOW + timedelta(days=2))
    planned = plan(7, [event], WEEK, EKB, QUIET, NOW)
    assert [p.due_at < NOW for p in planned] == [True]  # the week before is behind
    (extra,) = catch_up(7, [event], planned, EKB, QUIET, NOW)
    assert extra.key == "s7:applications_end:asap" and extra.lead_minutes == 0
    assert extra.due_at == NOW + ASAP_DELAY  # after the confirmation, not in a week
    # a stage ending in 5 days (a date-only event): the same
    stage = date_event("stage_end", (NOW + timedelta(days=5)).date(), EKB, 1)
    assert _all([stage], WEEK) == ["s7:stage_end:1:asap"]


def test_no_catch_up_when_a_lead_is_ahead_the_event_passed_or_it_was_reminded() -> None:
    ahead = Event("applications_end", NOW + timedelta(days=2))
    assert _all([ahead], (4320, 1440)) == ["s7:applications_end:1440"]
    behind = Event("auction", NOW - timedelta(minutes=1))
    assert _all([behind], WEEK) == []
    planned = plan(7, [ahead], WEEK, EKB, QUIET, NOW)
    assert catch_up(7, [ahead], planned, EKB, QUIET, NOW, {"applications_end"}) == []
    # the keys are stable: a re-plan finds the same row, so the outbox sends it once
    later = NOW + timedelta(hours=5)
    assert _all([ahead], WEEK, later) == _all([ahead], WEEK)


def test_quiet_hours_delay_a_catch_up_to_their_end_but_never_past_the_event() -> None:
    night = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # 23:00 local
    morning = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 08:00 local, the end of quiet
    assert asap_due(night + timedelta(days=2), EKB, QUIET, night) == morning
    # the deadline is at 07:00 local, inside the quiet hours: the reminder goes at once
    early = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert asap_due(early, EKB, QUIET, night) == night + ASAP_DELAY
    # the deadline is under a minute away: at once, not after it
    soon = night + timedelta(seconds=30)
    assert asap_due(soon, EKB, None, night) == night
    assert asap_due(night + timedelta(days=1), EKB, None, night) == night + ASAP_DELAY
