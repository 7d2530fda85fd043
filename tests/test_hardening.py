"""Issue 19 hardening: hostile amounts, statistics that never block imports, secrets masked in
logs, XXE reported plainly."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.importer.batches import import_files
from bot.services.stats import cells as stats_cells
from bot.sources.files import parse_path
from bot.sources.records import ParsedFile, ProcedureRecord
from models import StatDirty, StatProcedures

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
HUGE = "9999999999999999.99"  # valid for the Numeric(18, 2) column, absurd as a price


def _ocds(tmp_path: Path, amounts: list[Any]) -> Path:
    releases = [
        {
            "ocid": f"ocds-test-{i}",
            "id": f"r{i}",
            "date": "2026-11-02T10:00:00Z",
            "tag": ["tender"],
            "buyer": {"name": "Покупатель"},
            "tender": {
                "id": f"t{i}",
                "title": "Поставка",
                "value": {"amount": amount, "currency": "RUB"},
                "tenderPeriod": {"endDate": "2026-12-20T10:00:00Z"},
            },
        }
        for i, amount in enumerate(amounts)
    ]
    path = tmp_path / "hostile.json"
    text = json.dumps({"releases": releases})
    for marker in ("NAN", "INF"):  # json.dumps cannot write the bare literals we want
        text = text.replace(f'"{marker}"', {"NAN": "NaN", "INF": "Infinity"}[marker])
    path.write_text(text)
    return path


def test_absurd_amounts_are_refused_at_parse_time(tmp_path: Path) -> None:
    path = _ocds(tmp_path, [100, HUGE, -5, "NAN", "INF", 10**15, 999_999_999_999_999])
    (parsed,) = parse_path(path)
    numbers = [d.number for d in parsed.documents if isinstance(d, ProcedureRecord)]
    assert numbers == ["ocds-test-0", "ocds-test-6"]
    refused = {e.document: e.reason for e in parsed.errors}
    assert set(refused) == {f"ocds-test-{i}" for i in (1, 2, 3, 4, 5)}
    assert all("out of range" in reason for reason in refused.values()), refused


def test_absurd_eis_amount_is_refused(tmp_path: Path) -> None:
    from tests.support.sources import EXPORT_HEAD, _notice

    text = EXPORT_HEAD + _notice("0000000000025000001", "12.50")
    text += _notice("0000000000025000002", HUGE) + _notice("0000000000025000003", "-1")
    path = tmp_path / "export.xml"
    path.write_text(text + "</ns3:export>")
    (parsed,) = parse_path(path)
    assert [d.number for d in parsed.documents if isinstance(d, ProcedureRecord)] == [
        "0000000000025000001"
    ]
    assert len(parsed.errors) == 2
    assert all("out of range" in e.reason for e in parsed.errors)


def test_an_eis_number_with_a_letter_is_refused(tmp_path: Path) -> None:
    """«03740300000267777AB» would be imported and never found by the digits users type."""
    from tests.support.sources import EXPORT_HEAD, _notice

    text = EXPORT_HEAD + _notice("0000000000025000001", "12.50")
    text += _notice("03740300000267777AB", "12.50") + _notice("0374О30000026000287", "12.50")
    path = tmp_path / "export.xml"
    path.write_text(text + "</ns3:export>")
    (parsed,) = parse_path(path)
    assert [d.number for d in parsed.documents if isinstance(d, ProcedureRecord)] == [
        "0000000000025000001"
    ]
    assert len(parsed.errors) == 2
    assert all("digits only" in e.reason for e in parsed.errors), parsed.errors


def _notice_record(number: str, price: Decimal) -> ProcedureRecord:
    return ProcedureRecord(
        number=number, law="ocds", doc_type="ocds", method="Открытый тендер", title="Тест",
        customer_name="Покупатель", customer_inn=None, customer_kpp=None, region="74",
        platform_name=None, platform_url=None, max_price=price, currency="RUB",
        published_at=NOW, applications_end=None, auction_at=None, summarizing_at=None,
        smp_only=False, source_hash=f"h-{number}",
    )  # fmt: skip


async def test_huge_sums_fit_the_cells_and_never_block_later_imports(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    """Twelve amounts that each fit the price column (records built past the parser) sum to
    more than a 64-bit integer of kopecks: the cell holds the exact NUMERIC sum, and a later
    unrelated import goes through."""
    hostile = ParsedFile("hostile.json")
    hostile.documents += [_notice_record(f"ocds-x-{i}", Decimal(HUGE)) for i in range(12)]
    summary = await import_files(sessionmaker, [hostile], now=lambda: NOW)
    assert summary.errors == [] and summary.procedures == 12
    later = ParsedFile("later.json")
    later.documents.append(_notice_record("ocds-y-1", Decimal("100.00")))
    summary = await import_files(sessionmaker, [later], now=lambda: NOW)
    assert summary.errors == [] and summary.procedures == 1
    total = (await session.execute(select(func.sum(StatProcedures.kopecks)))).scalar_one()
    assert Decimal(total) == Decimal(HUGE) * 12 * 100 + 10000 or (
        session.get_bind().dialect.name == "sqlite"  # SQLite sums in binary floating point
        and abs(Decimal(total) / (Decimal(HUGE) * 1200) - 1) < Decimal("1e-12")
    )
    assert (await session.execute(select(func.count()).select_from(StatDirty))).scalar_one() == 0


async def test_a_cell_that_fails_is_reported_and_the_others_refresh(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy import text

    original = stats_cells.cell_statements

    def broken(dialect: str, kind: str, region: str, month: str) -> list[Any]:
        if region == "66":
            return [text("SELECT no_such_column FROM stat_dirty")]
        return original(dialect, kind, region, month)

    monkeypatch.setattr(stats_cells, "cell_statements", broken)
    first = ParsedFile("two-regions.json")
    first.documents += [
        _notice_record("ocds-a", Decimal("10")),
        ProcedureRecord(**{**_fields(_notice_record("ocds-b", Decimal("20"))), "region": "66"}),
    ]
    summary = await import_files(sessionmaker, [first], now=lambda: NOW)
    assert summary.procedures == 2
    (error,) = summary.errors
    assert error.file == "statistics" and error.document == "cell procedures 66 2026-11"
    rows = (await session.execute(select(StatProcedures.region, StatProcedures.n))).all()
    assert [tuple(r) for r in rows] == [("74", 1)]
    # the failing cell stays queued, is reported again, and never stops the next import
    again = ParsedFile("again.json")
    again.documents.append(_notice_record("ocds-c", Decimal("30")))
    summary = await import_files(sessionmaker, [again], now=lambda: NOW)
    assert summary.procedures == 1 and [e.file for e in summary.errors] == ["statistics"]


def _fields(record: ProcedureRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}


def test_secrets_are_masked_in_messages_traces_and_json() -> None:
    import logging

    from bot.logging_setup import mask_secrets
    from bot.logjson import JsonFormatter

    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    eis = "eis-secret-7f3a9c"
    mask_secrets(eis)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    json_stream = io.StringIO()
    json_handler = logging.StreamHandler(json_stream)
    json_handler.setFormatter(JsonFormatter())
    log = logging.getLogger("smebot.test.secrets")
    log.addHandler(handler)
    log.addHandler(json_handler)
    try:
        try:
            raise OSError(f"502 for https://api.telegram.org/file/bot{token}/documents/f.md")
        except OSError:
            log.exception("download of %s failed (ticket %s)", f"/bot{token}/getFile", eis)
    finally:
        log.removeHandler(handler)
        log.removeHandler(json_handler)
    for text in (stream.getvalue(), json_stream.getvalue()):
        assert "/file/bot***/documents" in text and "OSError" in text, text
        assert token not in text and token.split(":")[1] not in text and eis not in text


def test_front_matter_refuses_anchors_aliases_and_huge_text() -> None:
    import yaml

    from knowledge.loader import MAX_YAML, load_yaml

    assert load_yaml("id: x\ntags: [a, b]") == {"id": "x", "tags": ["a", "b"]}
    for text in ("a: &x [1, 2]\nb: *x", "a: &x 1", "a: *x"):
        with pytest.raises(yaml.YAMLError, match="anchors and aliases"):
            load_yaml(text)
    with pytest.raises(yaml.YAMLError, match="longer than"):
        load_yaml("a: " + "x" * MAX_YAML)


async def test_rows_left_unknown_by_a_kill_are_logged(
    session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import timedelta

    from bot.services.reminders.outbox import LEASE, release_expired, unknown_rows
    from models import Reminder
    from tests.factories import add_user

    await add_user(session, 3030)
    session.add(
        Reminder(
            user_id=3030, key="k", kind="news", event="news", due_at=NOW, status="sending",
            claimed_at=NOW, claim_token="dead", payload="", outcome="",
        )
    )  # fmt: skip
    await session.commit()
    with caplog.at_level("WARNING", logger="smebot.reminders"):
        await release_expired(session, NOW + LEASE + timedelta(seconds=1))
    assert "1 outbox rows were in flight" in caplog.text and "smebot outbox unknown" in caplog.text
    (row,) = await unknown_rows(session)
    assert (row.user_id, row.kind) == (3030, "news")


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">',
    ],
)
def test_an_xxe_attempt_is_reported_plainly(tmp_path: Path, doctype: str) -> None:
    from tests.support.sources import EXPORT_HEAD, _notice

    text = (
        '<?xml version="1.0"?>'
        + doctype
        + EXPORT_HEAD.split("\n", 1)[1]
        + _notice("0000000000025000001", "1").replace("Тест", "&e;" if "ENTITY" in doctype else "x")
        + "</ns3:export>"
    )
    path = tmp_path / "xxe.xml"
    path.write_text(text)
    (parsed,) = parse_path(path)
    assert parsed.documents == []
    (error,) = parsed.errors
    assert error.reason.startswith("внешние сущности запрещены"), error.reason


async def test_an_ocds_release_never_replaces_an_eis_notice(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    from dataclasses import replace

    from models import Procedure

    number = "0169300000126000777"
    eis = replace(_notice_record(number, Decimal("100")), law="44", doc_type="epNotificationEA20")
    hostile = replace(
        _notice_record(number, Decimal("1")), title="Подмена", version=99, source_hash="x"
    )
    for batch in ([eis], [hostile], [replace(hostile, source_hash="y"), eis]):
        parsed = ParsedFile("f.json")
        parsed.documents += batch
        summary = await import_files(sessionmaker, [parsed], now=lambda: NOW)
        if hostile.law in {d.law for d in batch}:
            assert [e.reason for e in summary.errors] == [
                f"FamilyConflict: number {number} belongs to an EIS document: "
                "an OCDS release cannot replace it"
            ]
    stored = (
        await session.execute(select(Procedure).where(Procedure.number == number))
    ).scalar_one()
    assert (stored.law, stored.title, stored.max_price) == ("44", "Тест", Decimal("100"))
    # the other way round, an EIS notice takes the number over from an OCDS release
    other = "ocds-taken-first"
    for doc in (_notice_record(other, Decimal("5")), replace(eis, number=other, title="ЕИС")):
        parsed = ParsedFile("g.json")
        parsed.documents.append(doc)
        assert (await import_files(sessionmaker, [parsed], now=lambda: NOW)).errors == []
    await session.rollback()
    taken = (await session.execute(select(Procedure).where(Procedure.number == other))).scalar_one()
    assert (taken.law, taken.title) == ("44", "ЕИС")


def test_a_database_error_is_reported_without_its_sql() -> None:
    from sqlalchemy.exc import DBAPIError

    from bot.services.importer.batches import _reason

    statement = "INSERT INTO procedures (number, title) VALUES " + "(?, ?), " * 100
    exc = DBAPIError(statement, {}, OverflowError("numeric field overflow\nDETAIL: precision"))
    reason = _reason(exc)
    assert reason == "database refused the document: OverflowError: numeric field overflow"
    assert "INSERT" not in reason
