"""The reminders service on the real schema with an injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outcome import Outcome, OutcomeStatus
from bot.services.errors import NotFound, Refused
from bot.services.procurement import SearchFilters
from bot.services.reminders.digests import collect_digests
from bot.services.reminders.outbox import (
    claim_due,
    mark_sending,
    record_outcomes,
    release_claimed,
    release_expired,
)
from bot.services.reminders.planner import reconcile, update_prefs
from bot.services.reminders.prefs import Defaults
from bot.services.reminders.subscriptions import (
    delete_subscription,
    list_subscriptions,
    set_paused,
    subscribe,
    subscribe_search,
)
from models import Procedure, Reminder, User
from tests.factories import NOW, add_procedure, add_user

NUMBER = "0169300000126000123"
DEFAULTS = Defaults("3d,1d,3h", "", "Asia/Yekaterinburg")  # no quiet hours: exact due times
ALICE, BOB = 501, 502


async def _rows(session: AsyncSession, **where: object) -> list[Reminder]:
    await session.rollback()  # a fresh snapshot: services commit in their own sessions
    stmt = select(Reminder).order_by(Reminder.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(Reminder, name) == value)
    return list((await session.execute(stmt)).scalars())


@pytest.fixture
async def world(session: AsyncSession) -> AsyncSession:
    await add_user(session, ALICE)
    await add_user(session, BOB)
    await add_procedure(
        session,
        NUMBER,
        applications_end=NOW + timedelta(days=5),
        auction_at=NOW + timedelta(days=7),
    )
    return session


async def test_subscribe_plans_every_event_and_lead_once(world: AsyncSession) -> None:
    first = await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    assert first.created and first.planned == 6
    assert first.next_due == NOW + timedelta(days=2)  # 5 days ahead minus 3 days
    again = await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    assert not again.created and again.view.id == first.view.id
    rows = await _rows(world)
    assert len(rows) == 6 and {r.status for r in rows} == {"pending"}
    assert {(r.event, r.lead_minutes) for r in rows} == {
        (e, lead) for e in ("applications_end", "auction") for lead in (4320, 1440, 180)
    }


async def test_subscribing_to_finished_or_unknown_is_refused(world: AsyncSession) -> None:
    await add_procedure(world, "0169300000126000999", status="cancelled")
    await add_procedure(world, "0169300000126000998", applications_end=NOW - timedelta(hours=1))
    with pytest.raises(Refused):
        await subscribe(world, ALICE, "procedure", "0169300000126000999", DEFAULTS, NOW)
    with pytest.raises(Refused):
        await subscribe(world, ALICE, "procedure", "0169300000126000998", DEFAULTS, NOW)
    with pytest.raises(NotFound):
        await subscribe(world, ALICE, "procedure", "0169300000126000000", DEFAULTS, NOW)
    assert await _rows(world) == []


async def test_claim_send_confirm_and_nothing_twice(world: AsyncSession) -> None:
    await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    later = NOW + timedelta(days=2, minutes=1)  # the 3-day lead of applications_end is due
    claimed, due = await claim_due(world, later, "t1", 100)
    assert claimed == 1 and [(d.event, d.lead_minutes) for d in due] == [("applications_end", 4320)]
    assert due[0].title == "Поставка офисной бумаги" and due[0].timezone == "Asia/Yekaterinburg"
    # a second poller finds nothing while the row is claimed
    assert await claim_due(world, later, "t2", 100) == (0, [])
    await mark_sending(world, [due[0].id], later)
    await record_outcomes(world, [Outcome(due[0].id, OutcomeStatus.SENT, 77, chat_id=ALICE)], later)
    assert await claim_due(world, later, "t3", 100) == (0, [])
    (row,) = await _rows(world, id=due[0].id)
    assert row.status == "sent" and row.message_id == 77 and row.attempts == 1


async def test_claims_of_one_token_are_disjoint(world: AsyncSession) -> None:
    await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    await subscribe(world, BOB, "procedure", NUMBER, DEFAULTS, NOW)
    at = NOW + timedelta(days=2, minutes=1)
    first = await claim_due(world, at, "same", 1)
    second = await claim_due(world, at, "same", 1)  # the first batch is still queued
    assert first[0] == second[0] == 1
    assert {d.id for d in first[1]}.isdisjoint({d.id for d in second[1]})
    assert await claim_due(world, at, "same", 1) == (0, [])


async def test_after_downtime_only_the_shortest_due_lead_goes_and_stale_ones_drop(
    world: AsyncSession,
) -> None:
    await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    # down until 2 hours before the application deadline: 3d, 1d and 3h leads are all due
    back = NOW + timedelta(days=5) - timedelta(hours=2)
    claimed, due = await claim_due(world, back, "t", 100)
    assert claimed >= 3
    # the 3-day lead of the auction (7 days ahead) is due too, for another event
    assert [(d.event, d.lead_minutes) for d in due] == [
        ("applications_end", 180),
        ("auction", 4320),
    ]
    dropped = await _rows(world, status="dropped")
    assert {r.outcome for r in dropped} == {"superseded by a shorter lead"}
    # the auction's reminders after the auction has passed are stale
    await release_claimed(world, "t")
    claimed, due = await claim_due(world, NOW + timedelta(days=8), "t", 100)
    assert due == [] and claimed >= 1
    assert any(r.outcome == "stale: event passed" for r in await _rows(world, status="dropped"))


async def test_moved_deadline_sends_one_update_and_reschedules(world: AsyncSession) -> None:
    await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    assert await reconcile(world, DEFAULTS, NOW) == 0  # nothing changed yet
    new_end = NOW + timedelta(days=9)
    await world.execute(
        update(Procedure)
        .where(Procedure.number == NUMBER)
        .values(applications_end=new_end, updated_at=NOW + timedelta(hours=1))
    )
    await world.commit()
    assert await reconcile(world, DEFAULTS, NOW + timedelta(hours=1)) == 1
    assert await reconcile(world, DEFAULTS, NOW + timedelta(hours=2)) == 0  # once only
    updates = await _rows(world, kind="update")
    assert len(updates) == 1 and '"event": "applications_end"' in updates[0].payload
    moved = await _rows(world, event="applications_end", kind="deadline")
    assert {r.event_at for r in moved} == {new_end}
    assert {r.due_at for r in moved} == {new_end - timedelta(minutes=m) for m in (4320, 1440, 180)}


async def test_cancelled_procedure_stops_reminders_with_one_notice(world: AsyncSession) -> None:
    await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    await world.execute(
        update(Procedure)
        .where(Procedure.number == NUMBER)
        .values(status="cancelled", updated_at=NOW + timedelta(hours=1))
    )
    await world.commit()
    await reconcile(world, DEFAULTS, NOW + timedelta(hours=1))
    updates = await _rows(world, kind="update")
    assert [u.event for u in updates] == ["cancelled"]
    assert {r.status for r in await _rows(world, kind="deadline")} == {"cancelled"}


async def test_crash_recovery_never_resends_what_may_have_gone(world: AsyncSession) -> None:
    await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    await subscribe(world, BOB, "procedure", NUMBER, DEFAULTS, NOW)
    at = NOW + timedelta(days=2, minutes=1)  # each one's 3-day lead of the applications' end
    _, due = await claim_due(world, at, "dead-process", 100)
    assert len(due) == 2
    await mark_sending(world, [due[0].id], at)  # killed during this HTTP call
    assert await release_expired(world, at + timedelta(minutes=5)) == 0  # lease not over
    # the claimed row never reached Telegram: back to pending after the lease
    assert await release_expired(world, at + timedelta(minutes=11)) == 2
    (unknown,) = await _rows(world, status="unknown")
    assert unknown.id == due[0].id and "not resent" in unknown.outcome
    (back,) = await _rows(world, status="pending", event="applications_end", lead_minutes=4320)
    assert back.id == due[1].id and back.claim_token is None


async def test_outcomes_retry_block_and_fail(world: AsyncSession) -> None:
    await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    await subscribe(world, BOB, "procedure", NUMBER, DEFAULTS, NOW)
    at = NOW + timedelta(days=2, minutes=1)
    _, due = await claim_due(world, at, "t", 100)
    by_user = {d.user_id: d for d in due}
    await mark_sending(world, [d.id for d in due], at)
    await record_outcomes(
        world,
        [
            Outcome(
                by_user[ALICE].id,
                OutcomeStatus.RETRY,
                error="502 Bad Gateway",
                attempts=5,
                chat_id=ALICE,
            ),
            Outcome(by_user[BOB].id, OutcomeStatus.BLOCKED, error="Forbidden", chat_id=BOB),
        ],
        at,
    )
    (retry,) = await _rows(world, id=by_user[ALICE].id)
    assert retry.status == "pending" and retry.due_at > at and "502" in retry.outcome
    (blocked,) = await _rows(world, id=by_user[BOB].id)
    assert blocked.status == "failed" and "blocked" in blocked.outcome
    bob = await world.get(User, BOB)
    assert bob is not None and bob.is_active is False
    # Bob's next reminder is dropped without a call to Telegram
    _, due = await claim_due(world, NOW + timedelta(days=4, minutes=1), "t2", 100)
    assert all(d.user_id == ALICE for d in due)
    assert any(r.outcome == "user inactive" for r in await _rows(world, user_id=BOB))


async def test_pause_resume_delete_and_forged_ids(world: AsyncSession) -> None:
    sub = (await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)).view
    with pytest.raises(NotFound):
        await set_paused(world, BOB, sub.id, True, DEFAULTS, NOW)  # someone else's
    with pytest.raises(NotFound):
        await delete_subscription(world, BOB, sub.id)
    assert {r.status for r in await _rows(world)} == {"pending"}
    paused = await set_paused(world, ALICE, sub.id, True, DEFAULTS, NOW)
    assert not paused.active and {r.status for r in await _rows(world)} == {"paused"}
    assert await claim_due(world, NOW + timedelta(days=6), "t", 100) == (0, [])
    resumed = await set_paused(world, ALICE, sub.id, False, DEFAULTS, NOW)
    assert resumed.active and {r.status for r in await _rows(world)} == {"pending"}
    items, total = await list_subscriptions(world, ALICE, 0, 5)
    assert total == 1 and items[0].next_due == NOW + timedelta(days=2)
    await delete_subscription(world, ALICE, sub.id)
    assert await _rows(world) == [] and (await list_subscriptions(world, ALICE, 0, 5))[1] == 0


async def test_changing_lead_times_replans(world: AsyncSession) -> None:
    await subscribe(world, ALICE, "procedure", NUMBER, DEFAULTS, NOW)
    prefs = await update_prefs(world, ALICE, DEFAULTS, NOW, lead_times="2d", quiet_hours="нет")
    assert prefs.leads == (2880,) and prefs.custom_leads and prefs.quiet is None
    live = await _rows(world, status="pending")
    assert {r.lead_minutes for r in live} == {2880}
    assert {r.lead_minutes for r in await _rows(world, status="cancelled")} == {4320, 1440, 180}
    prefs = await update_prefs(world, ALICE, DEFAULTS, NOW, timezone="Москва")
    assert prefs.timezone == "Europe/Moscow"


async def test_saved_search_digest_once_per_user_per_run(world: AsyncSession) -> None:
    await subscribe_search(world, ALICE, "бумага", SearchFilters(region="74"), NOW)
    await subscribe_search(world, ALICE, "поставка", SearchFilters(), NOW)
    assert await collect_digests(world, NOW) == 0  # nothing new yet
    await add_procedure(world, "0169300000126000200", title="Поставка бумаги для принтеров")
    await add_procedure(world, "0169300000126000201", title="Ремонт кровли", region="66")
    assert await collect_digests(world, NOW) == 1
    (digest,) = await _rows(world, kind="digest")
    assert digest.user_id == ALICE and "0169300000126000200" in digest.payload
    assert "0169300000126000201" not in digest.payload
    assert await collect_digests(world, NOW) == 0  # the same procedures are not sent again
    count = (await world.execute(select(func.count()).select_from(Reminder))).scalar_one()
    assert count == 1
