"""The catch-up rule in the database: subscribing, changing lead times and re-imported
deadlines plan one reminder for a deadline whose lead times are all behind — once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outcome import Outcome, OutcomeStatus
from bot.services.reminders.outbox import claim_due, mark_sending, record_outcomes
from bot.services.reminders.planner import reconcile, update_prefs
from bot.services.reminders.prefs import Defaults
from bot.services.reminders.subscriptions import subscribe
from bot.services.schedule import ASAP_DELAY
from bot.ui.reminders import reminder_message
from models import Procedure
from tests.factories import NOW, add_procedure, add_user
from tests.test_reminders import _rows

NUMBER = "0169300000126000321"
WEEK = Defaults("1w", "", "Asia/Yekaterinburg")
USUAL = Defaults("3d,1d,3h", "", "Asia/Yekaterinburg")
ALICE = 601


@pytest.fixture
async def world(session: AsyncSession) -> AsyncSession:
    await add_user(session, ALICE)
    await add_procedure(session, NUMBER, applications_end=NOW + timedelta(days=2))
    return session


async def _send_due(session: AsyncSession, at: object, token: str) -> list[str]:
    """One outbox pass at `at`: claim what is due and record it as sent."""
    assert isinstance(at, type(NOW))
    _, due = await claim_due(session, at, token, 100)
    await mark_sending(session, [d.id for d in due], at)
    outcomes = [Outcome(d.id, OutcomeStatus.SENT, 100 + d.id, chat_id=d.user_id) for d in due]
    await record_outcomes(session, outcomes, at)
    return [d.event for d in due]


async def test_subscribing_with_every_lead_behind_plans_one_reminder(world: AsyncSession) -> None:
    done = await subscribe(world, ALICE, "procedure", NUMBER, WEEK, NOW)
    assert done.planned == 1 and done.next_due == NOW + ASAP_DELAY
    assert done.next is not None and done.next.asap and done.next.event == "applications_end"
    again = await subscribe(world, ALICE, "procedure", NUMBER, WEEK, NOW + timedelta(seconds=30))
    assert not again.created
    assert len(await _rows(world, kind="deadline")) == 1  # the same row, not a second one
    at = NOW + timedelta(minutes=2)
    assert await _send_due(world, at, "t1") == ["applications_end"]
    # subscribing again, a re-plan after a change: nothing more about this deadline
    await subscribe(world, ALICE, "procedure", NUMBER, WEEK, at)
    await update_prefs(world, ALICE, WEEK, at, lead_times="2w")
    assert await _send_due(world, NOW + timedelta(days=2) - timedelta(minutes=1), "t2") == []
    assert [r.status for r in await _rows(world, kind="deadline")] == ["sent"]


async def test_changing_lead_times_applies_the_rule_without_doubles(world: AsyncSession) -> None:
    done = await subscribe(world, ALICE, "procedure", NUMBER, USUAL, NOW)
    assert done.next is not None and not done.next.asap  # the 1-day lead is ahead
    await update_prefs(world, ALICE, USUAL, NOW, lead_times="1w")
    (live,) = await _rows(world, status="pending")
    assert live.key.endswith(":asap") and live.due_at == NOW + ASAP_DELAY
    # back to leads ahead: the catch-up goes away, the usual leads return
    await update_prefs(world, ALICE, USUAL, NOW, lead_times="1d,3h")
    assert {r.lead_minutes for r in await _rows(world, status="pending")} == {1440, 180}
    # a usual lead due but not sent yet (the outbox is late): no catch-up on top of it
    late = NOW + timedelta(days=1, minutes=5)
    await update_prefs(world, ALICE, USUAL, late, lead_times="1w,1d")
    assert {r.lead_minutes for r in await _rows(world, status="pending")} == {1440}
    assert await _send_due(world, late, "t") == ["applications_end"]
    await update_prefs(world, ALICE, USUAL, late, lead_times="1w")
    assert await _rows(world, status="pending") == []


async def test_a_deadline_moved_closer_by_an_import_is_reminded_once(world: AsyncSession) -> None:
    await add_procedure(world, "0169300000126000322", applications_end=NOW + timedelta(days=20))
    far = "0169300000126000322"
    done = await subscribe(world, ALICE, "procedure", far, WEEK, NOW)
    assert done.next is not None and not done.next.asap
    # the customer brings the deadline forward: 3 days away, the week's lead is behind
    at = NOW + timedelta(hours=1)
    await world.execute(
        update(Procedure)
        .where(Procedure.number == far)
        .values(applications_end=NOW + timedelta(days=3), updated_at=at)
    )
    await world.commit()
    assert await reconcile(world, WEEK, at) == 1
    pending = await _rows(world, status="pending")
    assert sorted(r.kind for r in pending) == ["deadline", "update"]
    assert [r.key.endswith(":asap") for r in pending if r.kind == "deadline"] == [True]
    sent = await _send_due(world, at + timedelta(minutes=2), "t")
    assert sorted(sent) == ["applications_end", "moved"]
    assert await reconcile(world, WEEK, at + timedelta(minutes=3)) == 0
    assert await _send_due(world, at + timedelta(days=2), "t2") == []


async def test_catch_ups_of_one_subscription_due_together_are_one_message(
    session: AsyncSession,
) -> None:
    """Subscribing when the week's lead is behind for both the applications' end and the
    auction: two catch-up rows due at the same moment go out as one message, and a retried
    message still tells both."""
    number = "0169300000126000323"
    await add_user(session, ALICE)
    await add_procedure(
        session,
        number,
        applications_end=NOW + timedelta(days=2),
        auction_at=NOW + timedelta(days=4),
    )
    done = await subscribe(session, ALICE, "procedure", number, WEEK, NOW)
    assert done.planned == 2
    at = NOW + timedelta(minutes=2)
    _, due = await claim_due(session, at, "t1", 100)
    (one,) = due
    assert one.event == "applications_end" and [e.event for e in one.also] == ["auction"]
    text = reminder_message(one, at).text
    assert text.count("⏰") == 1 and "подача заявок" in text and "проводятся торги" in text
    merged = [r for r in await _rows(session, kind="deadline") if r.id != one.id]
    assert [(r.status, r.outcome) for r in merged] == [
        ("dropped", f"merged into reminder {one.id}")
    ]
    await mark_sending(session, [one.id], at)
    await record_outcomes(session, [Outcome(one.id, OutcomeStatus.RETRY, error="502")], at)
    _, again = await claim_due(session, at + timedelta(hours=1), "t2", 100)
    assert [(d.id, [e.event for e in d.also]) for d in again] == [(one.id, ["auction"])]
    await mark_sending(session, [one.id], at)
    await record_outcomes(session, [Outcome(one.id, OutcomeStatus.SENT, 7)], at)
    assert await _send_due(session, NOW + timedelta(days=3), "t3") == []  # nothing twice
