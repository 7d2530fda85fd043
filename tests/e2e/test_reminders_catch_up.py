"""A new user with long lead times subscribes to close deadlines: the confirmation says
when the one catch-up reminder comes, the outbox sends it once; finished contracts and
cancelled procedures offer no «🔔»."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_bot, reminder_defaults
from bot.config import Settings
from bot.jobs.reminders import ReminderRunner
from bot.services.reminders.planner import update_prefs
from bot.telegram.outbox import Delivery
from bot.ui.callbacks import ProcCB, ProcOp
from models import Contract, ContractStage
from tests.factories import NOW, add_procedure
from tests.fakebotapi import FakeBotAPI
from tests.support.bot import FixedClock, RunningBot

ALICE = 7101
PROCEDURE = "0169300000126000777"
RUNNING, EXECUTED, TERMINATED = "2740000171526000301", "2740000171526000302", "2740000171526000303"


async def _contract(session: AsyncSession, number: str, status: str, stage_end: date) -> None:
    contract = Contract(
        number=number,
        law="44",
        procedure_number=None,
        customer_name="МБОУ СОШ № 1",
        customer_inn="7401001234",
        supplier_name="ООО «Ромашка»",
        supplier_inn="7452000001",
        currency="RUB",
        signed_on=date(2026, 9, 1),
        execution_start=date(2026, 9, 1),
        execution_end=date(2027, 12, 31),
        status_code=status,
        version=1,
        source_hash=number,
        updated_at=NOW,
    )
    session.add(contract)
    await session.flush()
    session.add(ContractStage(contract_id=contract.id, number=1, end=stage_end))
    await session.commit()


async def _outbox_run(
    api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    bot = build_bot(settings.model_copy(update={"bot_api_url": api.url}), api.token)
    delivery = Delivery(bot, rate=10, backoff=0.05, max_attempts=4)
    runner = ReminderRunner(sessionmaker, delivery, reminder_defaults(settings), clock, batch=8)
    await runner.run_once()
    await bot.session.close()


async def _start_with_a_week(running_bot: RunningBot, session: AsyncSession) -> None:
    api = running_bot.api
    api.user_says(ALICE, "/start")
    await api.next_message(ALICE)
    await update_prefs(session, ALICE, reminder_defaults(Settings()), NOW, lead_times="1w")


async def test_a_week_ahead_lead_still_reminds_about_a_deadline_in_two_days(
    running_bot: RunningBot,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    api = running_bot.api
    await add_procedure(session, PROCEDURE, applications_end=NOW + timedelta(days=2))
    await _start_with_a_week(running_bot, session)
    mark = api.mark()
    api.user_says(ALICE, PROCEDURE)
    card = await api.next_message(ALICE, after=mark)
    mark = api.mark()
    api.press(ALICE, card, "Напоминать")
    done = await api.next_message(ALICE, after=mark)
    assert "Готово" in done.text and "за 1 неделю" in done.text, done.text
    assert "новых напоминаний пока нет" not in done.text
    # 24 Nov 10:00 local: the deadline is 26 Nov 10:00, the reminder a minute from now
    assert "Срок подачи заявок — через 2 дня, 26 ноября в 10:00" in done.text, done.text
    assert "напомню сегодня в 10:01 (Екатеринбург)" in done.text, done.text

    mark = api.mark()
    api.user_says(ALICE, "/reminders")
    listing = await api.next_message(ALICE, after=mark)
    assert "следующее напоминание: 24 ноября в 10:01" in listing.text, listing.text

    clock.now = NOW + timedelta(minutes=2)
    await _outbox_run(api, settings, sessionmaker, clock)
    await _outbox_run(api, settings, sessionmaker, clock)  # nothing twice
    reminders = [s for s in api.to_chat(ALICE) if (s.text or "").startswith("⏰")]
    assert len(reminders) == 1, [s.text for s in reminders]
    assert "Через 2 дня" in reminders[0].text and PROCEDURE in reminders[0].text
    assert not api.rejections


async def test_a_contract_stage_in_five_days_and_finished_contracts(
    running_bot: RunningBot, session: AsyncSession
) -> None:
    api = running_bot.api
    stage_end = (NOW + timedelta(days=5)).date()
    await _contract(session, RUNNING, "E", stage_end)
    await _contract(session, EXECUTED, "EC", stage_end)
    await _contract(session, TERMINATED, "ET", stage_end)
    await _start_with_a_week(running_bot, session)

    mark = api.mark()
    api.user_says(ALICE, RUNNING)
    card = await api.next_message(ALICE, after=mark)
    mark = api.mark()
    api.press(ALICE, card, "Напоминать")
    done = await api.next_message(ALICE, after=mark)
    assert "Окончание этапа 1 — через 5 дней, 29 ноября" in done.text, done.text
    assert "напомню сегодня в 10:01" in done.text, done.text

    for number, words in ((EXECUTED, "уже исполнен"), (TERMINATED, "расторгнут")):
        mark = api.mark()
        api.user_says(ALICE, number)
        card = await api.next_message(ALICE, after=mark)
        assert f"Контракт № {number}" in card.text, card.text
        labels = [b["text"] for b in card.buttons()]
        assert not any("🔔" in label for label in labels), labels
        # an old card's button (or a forged one) explains in proper Russian
        qid = api.press_data(ALICE, card, ProcCB(op=ProcOp.CSUB, n=number).pack())
        text = (await api.answer_of(qid))["text"]
        assert f"Контракт № {number} {words} — напоминать не о чем" in text, text
        assert "(а)" not in text
    assert not api.rejections


async def test_a_cancelled_procedure_offers_no_bell(
    running_bot: RunningBot, session: AsyncSession
) -> None:
    api = running_bot.api
    await add_procedure(session, PROCEDURE, status="cancelled")
    api.user_says(ALICE, PROCEDURE)
    card = await api.next_message(ALICE)
    labels = [b["text"] for b in card.buttons()]
    assert "🔎 Похожие" in labels and not any("🔔" in label for label in labels), labels
    qid = api.press_data(ALICE, card, ProcCB(op=ProcOp.SUB, n=PROCEDURE).pack())
    text = (await api.answer_of(qid))["text"]
    assert f"Закупка № {PROCEDURE} отменена — напоминать не о чем" in text, text
    assert not api.rejections
