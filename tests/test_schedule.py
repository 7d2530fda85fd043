"""Reminder rules without a database: lead times, quiet hours, zones, the plan."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.config import Settings
from bot.services.errors import BadInput
from bot.services.schedule import (
    Event,
    QuietHours,
    due_time,
    format_leads,
    parse_lead_times,
    parse_quiet_hours,
    plan,
    resolve_timezone,
)
from bot.ui.reminders import leads_words
from bot.ui.render import until_words

EKB = "Asia/Yekaterinburg"  # UTC+5


def test_lead_times_parse_and_format() -> None:
    assert parse_lead_times("3d,1d,3h") == (4320, 1440, 180)
    assert parse_lead_times(" 1h ; 30m 2d ") == (2880, 60, 30)
    assert parse_lead_times("1д, 5ч") == (1440, 300)
    assert parse_lead_times("1d,24h") == (1440,)  # the same lead twice is one lead
    assert format_leads((4320, 1440, 180, 45)) == "3d,1d,3h,45m"
    # as people type them (issue 18)
    assert parse_lead_times("2 дня и 5 часов") == (2880, 300)
    assert parse_lead_times("за 2 дня и за 5 часов") == (2880, 300)
    assert parse_lead_times("1 неделю, 1 день, 30 минут") == (10080, 1440, 30)


@pytest.mark.parametrize("bad", ["0m", "-1d", "999d", "abc", "", "3x", "1d,abc", "4m", "61d"])
def test_bad_lead_times_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_lead_times(bad)
    assert err.value.detail


def test_quiet_hours() -> None:
    quiet = parse_quiet_hours("22:00-08:00")
    assert quiet == QuietHours(time(22), time(8)) and str(quiet) == "22:00-08:00"
    assert quiet.contains(time(23, 30)) and quiet.contains(time(7, 59))
    assert not quiet.contains(time(8, 0)) and not quiet.contains(time(21, 59))
    day = parse_quiet_hours("13:00–14:30")
    assert day is not None and day.contains(time(13, 10)) and not day.contains(time(15))
    for off in ("", "нет", "-", "off"):
        assert parse_quiet_hours(off) is None
    # as people type them (issue 18)
    for typed in ("с 23 до 7", "23-7", "с 23:00 до 07:00", "23 - 7 утра"):
        assert parse_quiet_hours(typed) == QuietHours(time(23), time(7)), typed
    assert parse_quiet_hours("22-08") == quiet
    for bad in ("25:00-08:00", "22:00-22:00", "вечером", "с 23", "до 7"):
        with pytest.raises(BadInput):
            parse_quiet_hours(bad)


def test_time_zones() -> None:
    assert resolve_timezone("Омск") == "Asia/Omsk"
    assert resolve_timezone("Europe/Moscow") == "Europe/Moscow"
    for bad in ("Mars/Base", "UTC+5; DROP TABLE", "Нарния", ""):
        with pytest.raises(BadInput):
            resolve_timezone(bad)


def test_quiet_hours_move_a_reminder_to_their_end_unless_the_event_comes_first() -> None:
    quiet = QuietHours(time(22), time(8))
    event = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 10:00 local
    # 3 h before is 07:00 local, inside quiet hours: moved to 08:00 local (03:00 UTC)
    assert due_time(event, 180, EKB, quiet) == datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    # outside quiet hours nothing moves
    assert due_time(event, 1440, EKB, quiet) == event - timedelta(days=1)
    # an event at 07:30 local: the end of quiet hours is too late, so it goes at once
    early = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    assert due_time(early, 60, EKB, quiet) == early - timedelta(hours=1)
    assert due_time(event, 180, EKB, None) == event - timedelta(hours=3)


def test_plan_skips_events_behind_and_keys_are_stable() -> None:
    now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    events = [
        Event("applications_end", now + timedelta(days=2)),
        Event("auction", now - timedelta(hours=1)),
        Event("stage_end", now + timedelta(days=10), number=2, date_only=True),
    ]
    planned = plan(7, events, (4320, 60), EKB, None, now)
    assert [p.key for p in planned] == [
        "s7:applications_end:4320",
        "s7:applications_end:60",
        "s7:stage_end:2:4320",
        "s7:stage_end:2:60",
    ]
    assert planned[0].due_at < now  # 3 days before an event 2 days ahead: already behind


def test_lead_times_in_words() -> None:
    """«за …» in the settings and the subscription: whole weeks are weeks, not «7 дней»."""
    assert leads_words(parse_lead_times("1w, 2w, 5 недель")) == "5 недель, 2 недели, 1 неделю"
    assert leads_words(parse_lead_times("3w")) == "3 недели"
    assert leads_words(parse_lead_times("8d,3d,1,5 дня,3h")) == ("8 дней, 3 дня, 36 часов, 3 часа")
    assert leads_words(parse_lead_times("90m, 5m")) == "1 час 30 минут, 5 минут"


def test_until_words() -> None:
    assert until_words(timedelta(days=1)) == "1 день"
    assert until_words(timedelta(hours=23, minutes=40)) == "1 день"
    assert until_words(timedelta(days=3)) == "3 дня"
    assert until_words(timedelta(hours=3)) == "3 часа"
    assert until_words(timedelta(minutes=15)) == "15 минут"
    assert until_words(timedelta(seconds=5)) == "1 минуту"


def test_settings_validate_reminder_defaults() -> None:
    assert Settings(_env_file=None).reminder_lead_times == "3d,1d,3h"
    assert Settings(_env_file=None, quiet_hours="нет").quiet_hours == ""
    with pytest.raises(ValueError, match="вне допустимого"):
        Settings(_env_file=None, reminder_lead_times="0m")
    with pytest.raises(ValueError, match="тихих часов"):
        Settings(_env_file=None, quiet_hours="25:00-01:00")


def test_lead_times_with_decimals() -> None:
    assert parse_lead_times("1,5 дня") == (2160,)
    assert parse_lead_times("за 1,5 дня и за 2,5 часа") == (2160, 150)
    assert parse_lead_times("1.5d, 3д") == (4320, 2160)
    assert parse_lead_times("3d,1d,3h") == (4320, 1440, 180)  # a comma between leads stays one
    with pytest.raises(BadInput, match="целые минуты"):
        parse_lead_times("7,5 минут")
