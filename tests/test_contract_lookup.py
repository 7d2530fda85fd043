"""Issue 17: a contract card from whatever the database knows, found by every number the
contract is known by; due dates of unpublished calendar years are marked preliminary."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.calendar import published_through
from bot.services.errors import NotFound, Refused
from bot.services.procurement import (
    ContractCard,
    ContractList,
    RegistryNumber,
    find_by_number,
    find_contract,
    get_contract,
)
from bot.services.reminders.prefs import Defaults
from bot.services.reminders.subscriptions import subscribe
from bot.services.stats.cache import get_stats
from bot.services.stats.period import StatsQuery, make_period
from bot.ui.cards import contract_text
from bot.ui.console_text import html_to_text
from models import Contract
from tests.factories import add_user
from tests.support.contracts import (
    NOW,
    NUMBER,
    _import,
    acceptance,
    contract44,
    contract223,
    execution_et,
)
from tests.test_procurement import _cli


async def test_card_from_execution_documents_then_complete(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    await _import(sessionmaker, tmp_path / "a", contractProcedure_et=execution_et())
    card = await get_contract(session, NUMBER, NOW.date())
    assert not card.complete
    assert card.status_code == "ET" and card.status_words == "исполнение прекращено"
    assert card.terminated_on == date(2026, 10, 19)
    assert card.termination_reason == "Соглашение сторон — Стороны договорились"
    assert [p.on for p in card.payments] == [date(2026, 10, 5)]
    assert [s.end for s in card.stages] == [date(2026, 9, 30)]
    text = html_to_text(contract_text(card))
    assert "Сведения о контракте ещё не загружены" in text
    assert "исполнение прекращено" in text and "19 октября 2026" in text
    assert "Стороны договорились" in text and "30 сентября 2026" in text

    # Reminders: a terminated contract is done, whatever documents are loaded.
    await add_user(session, 42)
    await session.commit()
    with pytest.raises(Refused):
        await subscribe(session, 42, "contract", NUMBER, Defaults(), NOW)
    await session.rollback()

    # The contract's own document arrives later (saying only «E»): the card is complete,
    # its status stays the execution documents' latest, nothing is listed twice.
    await _import(sessionmaker, tmp_path / "b", contract=contract44())
    await _import(sessionmaker, tmp_path / "a")  # a re-import changes nothing
    session.expire_all()
    full = await get_contract(session, NUMBER, NOW.date())
    assert full.complete and full.customer_name == "МБОУ СОШ № 1"
    assert full.supplier_name == "ООО «Ромашка»" and full.price == Decimal("3000.00")
    assert full.status_code == "ET" and full.terminated_on == date(2026, 10, 19)
    assert len(full.payments) == 1 and full.paid_total == Decimal("1500.00")
    text = html_to_text(contract_text(full))
    assert "ещё не загружены" not in text and text.count("Расторгнут") == 1

    # Statistics count the contract once, as terminated, like the card says.
    stored = (await session.execute(select(Contract))).scalars().all()
    assert [(c.number, c.status_code) for c in stored] == [(NUMBER, "ET")]
    period = make_period("custom", NOW.date(), date(2026, 1, 1), date(2026, 12, 31))
    stats = await get_stats(session, StatsQuery("74", period), NOW)
    assert stats.contracts.count == 1 and stats.contracts.terminated == 1


async def test_contract_first_then_termination_updates_statistics(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    await _import(sessionmaker, tmp_path / "a", contract=contract44())
    await _import(sessionmaker, tmp_path / "b", contractProcedure_et=execution_et())
    card = await get_contract(session, NUMBER, NOW.date())
    assert card.complete and card.status_code == "ET"
    status = (await session.execute(select(Contract.status_code))).scalar_one()
    assert status == "ET"


async def test_every_number_finds_the_contract(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    reg, notice = "50105018196260000870000", "32612345678"
    await _import(
        sessionmaker,
        tmp_path / "a",
        c223=contract223(reg, reg[:-1] + "1", notice),
        c223b=contract223("50105018196260000880000", "50105018196260000880001", "32699999999"),
        c223c=contract223("50105018196260000890000", "50105018196260000890003", "32699999999"),
        c44=contract44(),
    )
    for number in (reg, reg[:-1] + "1", reg[:-1] + "7", notice):
        card = await find_contract(session, number, NOW.date())
        assert isinstance(card, ContractCard) and card.number == reg, number
    assert (await find_contract(session, "0169300000126000001", NOW.date())).number == NUMBER  # type: ignore[union-attr]
    several = await find_contract(session, "32699999999", NOW.date())
    assert isinstance(several, ContractList) and len(several.items) == 2
    text = html_to_text(contract_text(several))
    assert "Контракты по закупке № 32699999999" in text
    assert "50105018196260000880000" in text and "50105018196260000890000" in text
    with pytest.raises(NotFound):
        await find_contract(session, "50105018196260000990001", NOW.date())
    # The chat and inline mode go through find_by_number with the number's kinds.
    found = await find_by_number(session, RegistryNumber(notice, ("notice223",)), NOW)
    assert isinstance(found, ContractCard) and found.number == reg
    found = await find_by_number(session, RegistryNumber(reg[:-1] + "1", ("contract223",)), NOW)
    assert isinstance(found, ContractCard) and found.number == reg


async def test_due_date_in_an_unpublished_year_is_preliminary(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    year = published_through() + 1
    known, guessed = "1740100123426000001", "1740100123426000002"
    await _import(
        sessionmaker,
        tmp_path / "a",
        c1=contract44(known, smp=True),
        c2=contract44(guessed, notice="0169300000126000002", smp=True),
        a1=acceptance(known, f"{year - 1}-04-28"),
        a2=acceptance(guessed, f"{year}-04-28"),
    )
    published = await get_contract(session, known, NOW.date())
    assert published.payment_due == date(year - 1, 5, 11) if year == 2028 else True
    assert not published.payment_due_preliminary
    assert "предварительному" not in contract_text(published)
    preliminary = await get_contract(session, guessed, NOW.date())
    assert preliminary.payment_due is not None and preliminary.payment_due_preliminary
    assert "по предварительному календарю" in contract_text(preliminary)


def test_cli_contract_from_a_generated_termination(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "contractProcedure_et.xml").write_text(execution_et(), encoding="utf-8")
    result = _cli(tmp_path, "import", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    shown = _cli(tmp_path, "contract", NUMBER)
    assert shown.returncode == 0, shown.stderr
    assert "исполнение прекращено" in shown.stdout and "19 октября 2026" in shown.stdout
    assert "ещё не загружены" in shown.stdout
    data = json.loads(_cli(tmp_path, "contract", NUMBER, "--json").stdout)
    assert data["complete"] is False and data["terminated_on"] == "2026-10-19"


def test_cli_contract_from_the_shared_et_sample(tmp_path: Path, samples: Path) -> None:
    name = "44fz_contractProcedure_2790000171516000234_ET.xml"
    (tmp_path / "d").mkdir()
    shutil.copy(samples / "eis" / name, tmp_path / "d" / name)  # into tmp only, for the import
    assert _cli(tmp_path, "import", str(tmp_path / "d")).returncode == 0
    shown = _cli(tmp_path, "contract", "2790000171516000234")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "исполнение прекращено" in out and "Расторгнут 22 января 2018" in out, out
    assert "Недопоставка товара" in out and "ещё не загружены" in out


async def test_every_44_fz_supplier_gets_the_7_working_day_payment_term(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    """ч. 13.1 ст. 34 44-ФЗ: 7 working days for every supplier since 01.05.2022; the card
    cited the repealed SME-only ч. 8 ст. 30 and showed no term for a supplier not in СМП."""
    number = "1740100123426000003"
    await _import(
        sessionmaker,
        tmp_path / "a",
        c1=contract44(number, smp=False),
        a1=acceptance(number, "2026-11-02"),
    )
    card = await get_contract(session, number, NOW.date())
    assert card.payment_due == date(2026, 11, 12)  # 4 November is a holiday
    text = contract_text(card)
    assert "ч. 13.1 ст. 34 44-ФЗ" in text and "ч. 8 ст. 30" not in text
