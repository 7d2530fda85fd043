"""Importer, look-ups and search on the real schema (SQLite or PostgreSQL)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.errors import BadInput, NotFound
from bot.services.importer.batches import import_files
from bot.services.procurement import (
    FactView,
    SearchFilters,
    classify,
    contract_url,
    find_registry_number,
    get_contract,
    get_procedure,
    looks_like_partial_number,
    payment_due,
    search_procedures,
)
from bot.sources.demo import write_demo
from bot.sources.files import parse_path
from models import Contract, Procedure
from tests.support.cli import Ran, smebot, smebot_process
from tests.support.demo import NOW, clock, load_demo


async def test_import_is_idempotent(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    directory = await load_demo(sessionmaker, tmp_path)
    before = (await session.execute(select(func.count()).select_from(Procedure))).scalar_one()
    again = await import_files(sessionmaker, parse_path(directory), now=clock)
    assert again.procedures == 0 and again.contracts == 0 and again.skipped == again.documents
    after = (await session.execute(select(func.count()).select_from(Procedure))).scalar_one()
    assert before == after == 80


async def test_newer_version_supersedes_and_older_is_ignored(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    directory = await load_demo(sessionmaker, tmp_path, count=5)
    notice = next(directory.glob("epNotification*.xml"))
    number = notice.name.split("_")[1]
    original = notice.read_text(encoding="utf-8")
    v2 = original.replace(
        "<ns5:versionNumber>1</ns5:versionNumber>", "<ns5:versionNumber>2</ns5:versionNumber>"
    )
    title_start = v2.index("<ns5:purchaseObjectInfo>") + len("<ns5:purchaseObjectInfo>")
    v2 = v2[:title_start] + "Изменённый объект: " + v2[title_start:]
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "v2.xml").write_text(v2, encoding="utf-8")
    result = await import_files(sessionmaker, parse_path(tmp_path / "v2"), now=clock)
    assert result.procedures == 1
    card = await get_procedure(session, number, NOW)
    assert card.title.startswith("Изменённый объект")
    # the old edition arriving late changes nothing
    result = await import_files(sessionmaker, parse_path(notice), now=clock)
    assert result.skipped == 1
    session.expire_all()
    assert (await get_procedure(session, number, NOW)).title.startswith("Изменённый объект")


async def test_bad_files_are_reported_and_the_rest_goes_in(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    directory = tmp_path / "mixed"
    write_demo(directory, 3, seed=3, now=NOW)
    (directory / "broken.xml").write_text("<export><epNotificationEF2020>", encoding="utf-8")
    (directory / "binary.xml").write_bytes(b"\x00\x01\x02PK garbage")
    summary = await import_files(sessionmaker, parse_path(directory), now=clock)
    assert summary.procedures == 3
    assert {Path(e.file).name for e in summary.errors} == {"broken.xml", "binary.xml"}
    assert all(e.reason for e in summary.errors)


async def test_real_samples_import(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    samples: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    summary = await import_files(sessionmaker, parse_path(samples), now=clock)
    assert summary.errors == []
    assert "one by one" not in caplog.text  # the bulk path (lots, stages) did not fall back
    assert summary.procedures >= 6 and summary.contracts >= 4
    card = await get_procedure(session, "0873200009825003091", NOW)
    assert card.max_price == Decimal("37128494.92") and card.law == "44"
    assert card.applications_end == datetime(2025, 10, 22, 6, 0, tzinfo=UTC)
    assert card.status in {"closed", "finished"}
    contract = await get_contract(session, "1770989550925003831", date(2026, 11, 24))
    assert contract.price == Decimal("667600.00") and contract.supplier_is_smp is True
    again = await import_files(sessionmaker, parse_path(samples), now=clock)
    assert again.procedures == 0 and again.contracts == 0


async def test_lookups_and_status(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path)
    numbers = (await session.execute(select(Procedure.number, Procedure.applications_end))).all()
    for number, end in numbers[:20]:
        card = await get_procedure(session, number, NOW)
        assert card.status == ("accepting" if end > NOW else "closed")
        assert (card.days_left is not None) == (card.status == "accepting")
    with pytest.raises(NotFound):
        await get_procedure(session, "0000000000000000000", NOW)
    contract_number = (await session.execute(select(Contract.number).limit(1))).scalar_one()
    contract = await get_contract(session, contract_number, NOW.date())
    assert contract.procedure_number and contract.stages
    # a 44-ФЗ contract links to its own page in the registry (the address its <href> gives)
    assert contract.url.endswith(f"contractCard/common-info.html?reestrNumber={contract_number}")
    assert contract_url("12345678901234567890123", "223").endswith(
        "searchString=" + "12345678901234567890123"
    )


async def test_search_with_morphology_and_filters(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=150)
    page = await search_procedures(session, "поставки бумаги", SearchFilters(), NOW)
    assert page.total >= 1
    assert all("бумаг" in item.title.lower() for item in page.items)
    everything = await search_procedures(session, "поставка", SearchFilters(), NOW, page_size=500)
    smp = await search_procedures(
        session, "поставка", SearchFilters(smp_only=True), NOW, page_size=500
    )
    cheap = await search_procedures(
        session, "поставка", SearchFilters(max_price=Decimal(500000)), NOW, page_size=500
    )
    open_now = await search_procedures(
        session, "поставка", SearchFilters(accepting_only=True), NOW, page_size=500
    )
    other = await search_procedures(session, "поставка", SearchFilters(region="66"), NOW)
    assert 0 < smp.total < everything.total and all(i.smp_only for i in smp.items)
    assert all(i.max_price is not None and i.max_price <= 500000 for i in cheap.items)
    assert (
        all(i.status == "accepting" for i in open_now.items) and open_now.total < everything.total
    )
    assert other.total == 0
    paged = await search_procedures(session, "поставка", SearchFilters(), NOW, page=1, page_size=5)
    assert paged.page == 1 and len(paged.items) == 5
    for odd in (
        '" * ( ) NEAR AND OR ^',
        "поставка" + " бумаги" * 1000,
        "'; DROP TABLE procedures; --",
    ):
        with contextlib.suppress(BadInput):
            await search_procedures(session, odd, SearchFilters(), NOW)
    with pytest.raises(BadInput):
        await search_procedures(session, "!!! ???", SearchFilters(), NOW)


def test_registry_numbers_in_text() -> None:
    found = find_registry_number("покажи 0873200009825003091 пожалуйста")
    assert found is not None and found.digits == "0873200009825003091"
    spaced = find_registry_number("0873 2000 0982 5003 091")
    assert spaced is not None and spaced.digits == "0873200009825003091"
    assert classify("31603913641") == ("notice223",)
    assert classify("50105018196180000870001") == ("contract223",)
    assert classify("1770989550925003831")[0] == "contract44"
    assert find_registry_number("в 2025 году 44-ФЗ") is None
    assert looks_like_partial_number("08732000098250") == "08732000098250"


def test_payment_due_for_smp_uses_working_days() -> None:
    accepted = (FactView(date(2025, 12, 26), Decimal(1), ""),)
    due, overdue = payment_due(True, accepted, (), date(2026, 1, 20))
    assert due == date(2026, 1, 16) and overdue
    assert payment_due(
        True, accepted, (FactView(date(2026, 1, 10), Decimal(1), ""),), date(2026, 2, 1)
    ) == (None, False)
    assert payment_due(False, accepted, (), date(2026, 2, 1)) == (None, False)


def _cli(tmp_path: Path, *args: str, smoke: bool = False) -> Ran:
    run = smebot_process if smoke else smebot
    return run(tmp_path, *args, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/cli.db")


def test_cli_import_and_lookups(tmp_path: Path) -> None:
    write_demo(tmp_path / "d", 20, seed=11, now=NOW)
    (tmp_path / "d" / "bad.xml").write_text("<oops", encoding="utf-8")
    result = _cli(tmp_path, "import", str(tmp_path / "d"), "--json")
    assert result.returncode == 1, result.stderr  # bad.xml failed: a script must see it
    summary = json.loads(result.stdout)
    assert set(summary) == {"files", "documents", "procedures", "contracts", "skipped", "errors"}
    assert summary["procedures"] == 20 and summary["errors"][0]["file"].endswith("bad.xml")
    number = next((tmp_path / "d").glob("epNotification*.xml")).name.split("_")[1]
    shown = json.loads(_cli(tmp_path, "procedure", number, "--json").stdout)
    assert shown["number"] == number and shown["law"] == "44"
    assert set(shown) >= {
        "method",
        "title",
        "customer",
        "region",
        "max_price",
        "currency",
        "published_at",
        "applications_end",
        "auction_at",
        "summarizing_at",
        "platform",
        "smp_only",
        "status",
        "url",
    }
    assert "+00:00" in shown["applications_end"] and Decimal(shown["max_price"]) > 0
    missing = _cli(tmp_path, "procedure", "0000000000000000001")
    assert missing.returncode == 1 and "not found" in missing.stderr
    contract_files = list((tmp_path / "d").glob("contract_*.xml"))
    if contract_files:
        cnum = contract_files[0].name.split("_")[1]
        data = json.loads(_cli(tmp_path, "contract", cnum, "--json", smoke=True).stdout)
        assert set(data) >= {
            "number",
            "procedure_number",
            "status_code",
            "status",
            "price",
            "currency",
            "customer",
            "supplier",
            "signed_on",
            "execution_end",
            "stages",
            "payments",
            "payment_due",
        }
    assert _cli(tmp_path, "contract", "12").returncode == 1
