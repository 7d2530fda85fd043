"""Issue 17: a contract card from whatever the database knows, found by every number the
contract is known by; due dates of unpublished calendar years are marked preliminary."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.calendar import published_through
from bot.services.errors import NotFound, Refused
from bot.services.importer.batches import import_files
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
from bot.sources.files import parse_path
from bot.ui.cards import contract_text
from bot.ui.console_text import html_to_text
from models import Contract
from tests.factories import add_user
from tests.test_procurement import _cli

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
NUMBER = "2740000171526000234"
NS44 = 'xmlns="http://zakupki.gov.ru/oos/types/1" xmlns:ns2="http://zakupki.gov.ru/oos/export/1"'


def clock() -> datetime:
    return NOW


def execution_et(number: str = NUMBER) -> str:
    """A contractProcedure: one payment, then termination by agreement (status ET)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ns2:export {NS44}><ns2:contractProcedure schemeVersion="7.5">
<id>1</id><regNum>{number}</regNum><publishDate>2026-10-20T10:00:00+05:00</publishDate>
<versionNumber>0</versionNumber>
<executions><stage><endDate>2026-09-30</endDate></stage><ordinalNumber>1</ordinalNumber>
<execution><payDoc><documentName>Платежное поручение</documentName>
<documentDate>2026-10-05</documentDate><documentNum>77</documentNum></payDoc>
<paid>1500.00</paid></execution></executions>
<termination><terminationDate>2026-10-19</terminationDate>
<reasonInfo>Стороны договорились</reasonInfo>
<reason><code>1</code><name>Соглашение сторон</name></reason></termination>
<currentContractStage>ET</currentContractStage>
</ns2:contractProcedure></ns2:export>
"""


def contract44(
    number: str = NUMBER,
    notice: str = "0169300000126000001",
    stage: str = "E",
    smp: bool = False,
    signed: str = "2026-09-01",
) -> str:
    status = "<otherInfo><statusInfo><code>30</code></statusInfo></otherInfo>" if smp else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ns2:export {NS44}><ns2:contract schemeVersion="15.3">
<id>2</id><publishDate>2026-09-01T10:00:00+05:00</publishDate><versionNumber>0</versionNumber>
<foundation><fcsOrder><order><notificationNumber>{notice}</notificationNumber></order>
</fcsOrder></foundation>
<customer><fullName>МБОУ СОШ № 1</fullName><inn>7401001234</inn><kpp>740101001</kpp></customer>
<signDate>{signed}</signDate><regNum>{number}</regNum>
<priceInfo><price>3000.00</price><currency><code>RUB</code></currency></priceInfo>
<executionPeriod><startDate>{signed}</startDate><endDate>2027-12-31</endDate></executionPeriod>
<suppliersInfo><supplierInfo><legalEntityRF><EGRULInfo><fullName>ООО «Ромашка»</fullName>
<INN>7452000001</INN></EGRULInfo>{status}</legalEntityRF></supplierInfo></suppliersInfo>
<currentContractStage>{stage}</currentContractStage>
</ns2:contract></ns2:export>
"""


def acceptance(number: str, day: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ns2:export {NS44}><ns2:contractProcedure schemeVersion="7.5">
<id>3</id><regNum>{number}</regNum><publishDate>{day}T10:00:00+05:00</publishDate>
<executions><ordinalNumber>1</ordinalNumber><execution>
<docExecution><documentName>Акт</documentName><documentDate>{day}</documentDate>
<documentNum>1</documentNum></docExecution></execution></executions>
<currentContractStage>E</currentContractStage>
</ns2:contractProcedure></ns2:export>
"""


def contract223(reg: str, record: str, notice: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ns2:contract xmlns="http://zakupki.gov.ru/223fz/types/1"
 xmlns:ns2="http://zakupki.gov.ru/223fz/contract/1"><ns2:body><ns2:item>
<ns2:contractData><ns2:registrationNumber>{record}</ns2:registrationNumber>
<ns2:customer><mainInfo><fullName>АО «Завод»</fullName><inn>5010501819</inn>
<kpp>501001001</kpp></mainInfo></ns2:customer>
<ns2:contractRegNumber>{reg}</ns2:contractRegNumber>
<ns2:contractDate>2026-05-28</ns2:contractDate>
<ns2:purchaseNoticeInfo><ns2:purchaseNoticeNumber>{notice}</ns2:purchaseNoticeNumber>
</ns2:purchaseNoticeInfo>
<ns2:supplierInfo><name>ООО «Поставщик {record[-1]}»</name><inn>7700000001</inn></ns2:supplierInfo>
<ns2:price>1000.00</ns2:price><ns2:currency><code>RUB</code></ns2:currency>
<ns2:version>1</ns2:version>
</ns2:contractData></ns2:item></ns2:body></ns2:contract>
"""


def _write(directory: Path, files: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / f"{name}.xml").write_text(text, encoding="utf-8")


async def _import(
    sessionmaker: async_sessionmaker[AsyncSession], directory: Path, **files: str
) -> None:
    _write(directory, files)
    summary = await import_files(sessionmaker, parse_path(directory), now=clock)
    assert summary.errors == []


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
