"""Parsers of EIS XML and OCDS JSON: real samples (../shared/samples) and synthetic bad input."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.sources.files import Limits, parse_path
from bot.sources.records import (
    CANCELLED,
    CLOSED,
    FINISHED,
    ContractRecord,
    Document,
    ExecutionRecord,
    ParsedFile,
    ProcedureRecord,
    ProtocolRecord,
)


def _one(path: Path) -> ParsedFile:
    results = list(parse_path(path))
    assert len(results) == 1, results
    return results[0]


def _docs(path: Path) -> list[Document]:
    parsed = _one(path)
    assert parsed.errors == []
    return parsed.documents


def test_every_sample_parses_without_errors(samples: Path) -> None:
    files = sorted(samples.rglob("*.xml")) + sorted(samples.rglob("*.json"))
    assert len(files) >= 18
    for path in files:
        parsed = _one(path)
        assert parsed.errors == [], path
        assert parsed.documents, path
    whole = list(parse_path(samples))  # the directory, recursively; notes (.md) are skipped
    assert [p.file for p in whole] == sorted(str(p) for p in files)
    assert all(not p.errors for p in whole)


def test_ep_notification_ef2020(samples: Path) -> None:
    (doc,) = _docs(samples / "eis/44fz_epNotificationEF2020_0873200009825003091.xml")
    assert isinstance(doc, ProcedureRecord)
    assert doc.number == "0873200009825003091"
    assert doc.law == "44"
    assert doc.doc_type == "epNotificationEF2020"
    assert doc.method == "Электронный аукцион"
    assert doc.customer_inn == "7714338609"
    assert doc.customer_kpp == "771401001"
    assert doc.region == "77"
    assert doc.max_price == Decimal("37128494.92")
    assert doc.currency == "RUB"
    assert doc.platform_name == "РОСЭЛТОРГ (АО«ЕЭТП»)"
    # endDT 2025-10-22T09:00:00+03:00
    assert doc.applications_end == datetime(2025, 10, 22, 6, 0, tzinfo=UTC)
    assert doc.published_at == datetime(2025, 10, 10, 6, 11, 53, 421000, tzinfo=UTC)
    # biddingDate 2025-10-22+03:00 is a day: its start in that zone
    assert doc.auction_at == datetime(2025, 10, 21, 21, 0, tzinfo=UTC)
    assert doc.summarizing_at == datetime(2025, 10, 24, 20, 59, 59, tzinfo=UTC)
    assert doc.smp_only is False
    assert doc.okpd2 == ("21.20.10.235",)
    assert doc.version == 1
    assert len(doc.source_hash) == 64


def test_ep_notification_eok_smp_and_ezk(samples: Path) -> None:
    (eok,) = _docs(samples / "eis/44fz_epNotificationEOK2020_0373200138225001206_v2.xml")
    assert isinstance(eok, ProcedureRecord)
    assert eok.method == "Открытый конкурс в электронной форме"
    assert eok.version == 2
    assert eok.max_price == Decimal("3749627.69")
    assert eok.smp_only is True  # PVS33044 «ч. 3 ст. 30», prefValue 100
    assert "PVS33044" in eok.preferences
    assert eok.applications_end == datetime(2025, 10, 27, 4, 0, tzinfo=UTC)
    (ezk,) = _docs(samples / "eis/44fz_epNotificationEZK2020_0373200624325000142.xml")
    assert isinstance(ezk, ProcedureRecord)
    assert ezk.max_price == Decimal("93552")
    assert ezk.customer_inn == "7735598855"
    assert ezk.smp_only is False  # IN44 is a preference for disabled people's organisations
    assert "IN44" in ezk.preferences
    assert ezk.okpd2 == ("22.29.29.190",)


def test_fcs_printform_notice_with_plus_five_offset(samples: Path) -> None:
    (doc,) = _docs(samples / "eis/44fz_fcsNotificationEF_printform_0301300140921000011.xml")
    assert isinstance(doc, ProcedureRecord)
    assert doc.number == "0301300140921000011"
    assert doc.doc_type == "fcsNotificationEF"
    assert doc.method == "Электронный аукцион"
    assert doc.customer_inn == "0278060411"
    assert doc.region == "02"
    assert doc.max_price == Decimal("44648.67")
    # collecting/endDate 2021-04-16T10:00:00+05:00
    assert doc.applications_end == datetime(2021, 4, 16, 5, 0, tzinfo=UTC)
    assert doc.platform_url == "http://www.sberbank-ast.ru"


def test_fcs_protocol_finishes(samples: Path) -> None:
    (doc,) = _docs(samples / "eis/44fz_fcsProtocolEF3_0873500000820003425.xml")
    assert doc == ProtocolRecord(
        procedure_number="0873500000820003425",
        law="44",
        doc_type="fcsProtocolEF3",
        status=FINISHED,
        at=datetime(2020, 10, 1, 5, 29, 25, tzinfo=UTC),
        source_hash=doc.source_hash,
    )


def test_contracts_44(samples: Path) -> None:
    (new,) = _docs(samples / "eis/44fz_contract_1770989550925003831.xml")
    assert isinstance(new, ContractRecord)
    assert new.number == "1770989550925003831"
    assert new.procedure_number == "0858400000125000112"
    assert new.customer_inn == "7709895509"
    assert new.region == "61"  # branch KPP 616743001 (Rostov), not the INN's 77
    assert new.supplier_name == "КОРОЛЕВА ОЛЬГА ИВАНОВНА"
    assert new.supplier_inn == "920160915807"
    assert new.supplier_is_smp is True
    assert new.price == Decimal("667600.00")
    assert new.status_code == "E"
    assert new.signed_on == date(2025, 10, 7)
    assert new.execution_end == date(2025, 12, 3)
    assert [(s.start, s.end, s.amount) for s in new.stages] == [
        (date(2025, 10, 7), date(2025, 12, 3), Decimal("667600.00"))
    ]
    (old,) = _docs(samples / "eis/44fz_contract_3312100001816000003.xml")
    assert isinstance(old, ContractRecord)
    assert old.supplier_name == 'Филиал ПАО "МРСК Центра" - "Белгородэнерго"'
    assert old.supplier_inn == "6901067107"
    assert old.supplier_is_smp is None
    assert old.price == Decimal("6987268.99")
    assert old.region == "31"
    # two budget stages (3493634.50 + 3493634.49) joined on endDate
    assert [s.amount for s in old.stages] == [Decimal("6987268.99")]


def test_contract_procedures_44(samples: Path) -> None:
    (paid,) = _docs(samples / "eis/44fz_contractProcedure_1790000104916000054_E.xml")
    assert isinstance(paid, ExecutionRecord)
    assert paid.contract_number == "1790000104916000054"
    assert paid.status_code == "E"
    assert [(p.paid_on, p.amount) for p in paid.payments] == [
        (date(2017, 12, 27), Decimal("33472.47"))
    ]
    assert [a.accepted_on for a in paid.acceptances] == [date(2017, 12, 29)]
    assert paid.published_at == datetime(2018, 1, 9, 1, 54, 0, 825000, tzinfo=UTC)  # +10:00
    (ended,) = _docs(samples / "eis/44fz_contractProcedure_2790000171516000234_ET.xml")
    assert isinstance(ended, ExecutionRecord)
    assert ended.status_code == "ET"
    assert ended.terminated_on == date(2018, 1, 22)
    assert ended.termination_reason and "Недопоставка товара" in ended.termination_reason
    assert sum(p.amount for p in ended.payments) == Decimal("10320.00")


def test_purchase_notice_223(samples: Path) -> None:
    (doc,) = _docs(samples / "eis/223fz_purchaseNotice_31603913641.xml")
    assert isinstance(doc, ProcedureRecord)
    assert doc.number == "31603913641"
    assert doc.law == "223"
    assert doc.method == "Открытый запрос цен в электронной форме"
    assert doc.customer_inn == "7706107510"
    assert doc.region == "77"
    assert doc.version == 2
    assert doc.smp_only is True
    # 2016-08-05T18:00:00 without offset = Moscow (UTC+3)
    assert doc.applications_end == datetime(2016, 8, 5, 15, 0, tzinfo=UTC)
    assert doc.summarizing_at == datetime(2016, 9, 22, 13, 0, tzinfo=UTC)
    assert doc.max_price == Decimal("3077055.86")
    (lot,) = doc.lots
    assert lot.number == 1
    assert lot.max_price == Decimal("3077055.86")
    assert lot.title.startswith("Выполнение СМР")
    assert doc.okpd2 == ("41.20.20.310",)


def test_223_protocol_contracts_and_performance(samples: Path) -> None:
    (protocol,) = _docs(samples / "eis/223fz_purchaseProtocol_31704712239.xml")
    assert isinstance(protocol, ProtocolRecord)
    assert protocol.procedure_number == "31704712239"
    assert protocol.status == CLOSED  # «Протокол вскрытия конвертов»
    (contract,) = _docs(samples / "eis/223fz_contract_50105018196180000870001.xml")
    assert isinstance(contract, ContractRecord)
    assert contract.number == "50105018196180000870000"
    assert contract.supplier_inn == "2310140001"
    assert contract.price == Decimal("317962.72")
    assert contract.region == "01"
    (quirk,) = _docs(samples / "eis/223fz_contract_50105018196190002040001_2019.xml")
    assert isinstance(quirk, ContractRecord)  # xmlns="" on header/body
    assert quirk.customer_inn == "0105018196"
    assert quirk.procedure_number == "31908645944"
    assert quirk.price == Decimal("1750000")
    assert quirk.execution_end == date(2020, 12, 31)
    (perf,) = _docs(samples / "eis/223fz_performanceContract_80105015580170000110003.xml")
    assert isinstance(perf, ExecutionRecord)
    assert perf.contract_number == "80105015580170000110000"
    assert [(p.paid_on, p.amount) for p in perf.payments] == [
        (date(2017, 9, 30), Decimal("264204.07"))
    ]
    assert perf.status_code == "EC"


def test_ocds_samples(samples: Path) -> None:
    docs = _docs(samples / "ocds/ocds_ukraine_release_UA-2016-06-02-000468-c.json")
    tender = next(d for d in docs if isinstance(d, ProcedureRecord))
    assert tender.law == "ocds"
    assert tender.number == "ocds-be6bcu-UA-2016-06-02-000468-c"
    assert tender.max_price == Decimal("3000.0")
    assert tender.applications_end == datetime(2016, 6, 9, 12, 0, tzinfo=UTC)
    assert tender.status == FINISHED
    contract = next(d for d in docs if isinstance(d, ContractRecord))
    assert contract.supplier_name == 'ЧП "ОКСИМЕД"'
    assert contract.price == Decimal("2910.0")
    moldova = _docs(samples / "ocds/ocds_moldova_release_18610708.json")
    assert sum(isinstance(d, ContractRecord) for d in moldova) == 7
    first = next(d for d in moldova if isinstance(d, ProcedureRecord))
    assert first.max_price is None  # amount ""
    assert {d.currency for d in moldova if isinstance(d, ContractRecord)} == {"MDL"}
    mexico = _docs(samples / "ocds/ocds_mexico_cdmx_release_DRM-063-2015-01.json")
    execution = next(d for d in mexico if isinstance(d, ExecutionRecord))
    assert execution.payments and execution.payments[0].amount == Decimal("109272")
    (nsw,) = _docs(samples / "ocds/ocds_nsw_release_package_1.json")
    assert isinstance(nsw, ProcedureRecord) and nsw.title == "Lismore TAFE Flood Remediation Works"


# ---------------------------------------------------------------- synthetic bad input

EXPORT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<ns3:export xmlns="http://zakupki.gov.ru/oos/types/1" '
    'xmlns:ns3="http://zakupki.gov.ru/oos/export/1" '
    'xmlns:e="http://zakupki.gov.ru/oos/EPtypes/1" xmlns:b="http://zakupki.gov.ru/oos/base/1">'
)


def _notice(number: str, price: str) -> str:
    return (
        "<ns3:epNotificationEZK2020><e:versionNumber>1</e:versionNumber><e:commonInfo>"
        f"<e:purchaseNumber>{number}</e:purchaseNumber>"
        "<e:placingWay><b:code>ZKP20</b:code><b:name>Запрос котировок в электронной форме</b:name>"
        "</e:placingWay><e:purchaseObjectInfo>Тест</e:purchaseObjectInfo></e:commonInfo>"
        "<e:notificationInfo><e:contractConditionsInfo><e:maxPriceInfo>"
        f"<e:maxPrice>{price}</e:maxPrice></e:maxPriceInfo></e:contractConditionsInfo>"
        "</e:notificationInfo></ns3:epNotificationEZK2020>"
    )


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_multi_document_export_keeps_good_documents(tmp_path: Path) -> None:
    text = (
        EXPORT_HEAD
        + _notice("0000000000025000001", "10.50")
        + _notice("0000000000025000002", "abc")
    )
    text += _notice("0000000000025000003", "1.5E3") + "</ns3:export>"
    parsed = _one(_write(tmp_path, "multi.xml", text.encode()))
    assert [d.number for d in parsed.documents if isinstance(d, ProcedureRecord)] == [
        "0000000000025000001",
        "0000000000025000003",
    ]
    assert [d.max_price for d in parsed.documents if isinstance(d, ProcedureRecord)] == [
        Decimal("10.50"),
        Decimal("1.5E3"),
    ]
    (error,) = parsed.errors
    assert error.document and "0000000000025000002" in error.document


def test_truncated_xml_keeps_earlier_documents(tmp_path: Path) -> None:
    text = EXPORT_HEAD + _notice("0000000000025000001", "1") + _notice("0000000000025000002", "2")
    parsed = _one(_write(tmp_path, "cut.xml", text[:-40].encode()))
    assert [d.number for d in parsed.documents if isinstance(d, ProcedureRecord)] == [
        "0000000000025000001"
    ]
    assert len(parsed.errors) == 1 and "malformed" in parsed.errors[0].reason


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("garbage.xml", b"\x00\x01PK\x03\x04 not xml at all"),
        ("empty.xml", b""),
        ("cp1251.xml", '<?xml version="1.0" encoding="UTF-8"?><a>Привет</a>'.encode("cp1251")),
        ("unknown.xml", b'<?xml version="1.0"?><root xmlns="urn:x"><a/></root>'),
        ("bad.json", b'{"releases": [ {"ocid": '),
        ("cp1251.json", '{"ocid": "Привет", "tag": ["tender"]}'.encode("cp1251")),
        ("notocds.json", b'{"hello": 1}'),
        ("doc.exe", b"MZ"),
    ],
)
def test_bad_files_give_source_errors(tmp_path: Path, name: str, data: bytes) -> None:
    parsed = _one(_write(tmp_path, name, data))
    assert parsed.documents == []
    assert len(parsed.errors) == 1
    assert parsed.errors[0].file.endswith(name)


def test_unknown_export_child_is_reported(tmp_path: Path) -> None:
    text = EXPORT_HEAD + "<ns3:somethingNew><id>1</id></ns3:somethingNew>"
    text += _notice("0000000000025000001", "1") + "</ns3:export>"
    parsed = _one(_write(tmp_path, "mixed.xml", text.encode()))
    assert len(parsed.documents) == 1
    assert len(parsed.errors) == 1 and "somethingNew" in parsed.errors[0].reason


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + EXPORT_HEAD.split("\n", 1)[1]
        + _notice("0000000000025000001", "1").replace("Тест", "&e;")
        + "</ns3:export>"
    )
    parsed = _one(_write(tmp_path, "xxe.xml", text.encode()))
    for doc in parsed.documents:
        assert isinstance(doc, ProcedureRecord)
        assert "root:" not in doc.title


def test_zip_archive_with_bomb_and_good_members(tmp_path: Path, samples: Path) -> None:
    archive = tmp_path / "batch.zip"
    good = (samples / "eis/44fz_epNotificationEZK2020_0373200624325000142.xml").read_bytes()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dir/", b"")
        zf.writestr("dir/good.xml", good)
        zf.writestr("dir/good.xml.sig", b"signature")
        zf.writestr("bomb.xml", b"<a>" + b" " * (8 * 1024 * 1024) + b"</a>")
        zf.writestr("readme.pdf", b"%PDF")
    results = {Path(r.file.split("!")[1]).name: r for r in parse_path(archive)}
    assert set(results) == {"good.xml", "bomb.xml", "readme.pdf"}
    assert len(results["good.xml"].documents) == 1 and not results["good.xml"].errors
    assert "ratio" in results["bomb.xml"].errors[0].reason
    assert results["readme.pdf"].errors


def test_zip_member_larger_than_declared_limit(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("big.xml", b"<a>" + b"x" * 5000 + b"</a>")
    (result,) = parse_path(archive, Limits(max_member_size=1000))
    assert result.documents == [] and "exceeds" in result.errors[0].reason


def test_zip_with_too_many_members_and_broken_zip(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(5):
            zf.writestr(f"{i}.xml", b"<a/>")
    (result,) = parse_path(archive, Limits(max_members=3))
    assert "members" in result.errors[0].reason
    (broken,) = parse_path(_write(tmp_path, "broken.zip", b"PK\x03\x04garbage"))
    assert broken.errors


def test_cancellation_document(tmp_path: Path) -> None:
    text = (
        EXPORT_HEAD
        + "<ns3:epNotificationCancel><e:commonInfo><e:purchaseNumber>0000000000025000009"
        "</e:purchaseNumber><e:publishDTInEIS>2025-10-20T10:00:00+03:00</e:publishDTInEIS>"
        "</e:commonInfo></ns3:epNotificationCancel></ns3:export>"
    )
    (doc,) = _docs(_write(tmp_path, "cancel.xml", text.encode()))
    assert isinstance(doc, ProtocolRecord)
    assert doc.status == CANCELLED
    assert doc.at == datetime(2025, 10, 20, 7, 0, tzinfo=UTC)


def test_missing_path(tmp_path: Path) -> None:
    (result,) = parse_path(tmp_path / "nope.xml")
    assert result.errors


def test_parallel_parsing_gives_the_same_files_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes over plain files, slices of a zip archive, a broken archive and a
    missing path: the same ParsedFiles, in the same order, as parsing in this process."""
    from bot.sources import parallel
    from bot.sources.demo import write_demo

    plain = tmp_path / "plain"
    write_demo(plain, 12, region="74", seed=3, now=datetime(2026, 11, 20, tzinfo=UTC))
    files = sorted(p for p in plain.rglob("*.xml"))
    assert len(files) >= 12
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in files:
            zf.write(path, f"inside/{path.name}")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    monkeypatch.setattr(parallel, "ZIP_SLICE", 5)  # the archive is cut into several units
    paths = [plain, archive, tmp_path / "broken.zip", tmp_path / "missing"]

    def flat(parsed: list[ParsedFile]) -> list[tuple[str, list[Any], list[str]]]:
        return [(p.file, p.documents, [e.reason for e in p.errors]) for p in parsed]

    sequential = [p for path in paths for p in parse_path(path)]
    in_workers = list(parallel.parse_paths(paths, workers=2))
    assert flat(in_workers) == flat(sequential)
    assert sum(len(p.documents) for p in in_workers) > 2 * len(files) - 2
    assert any("bad zip" in e.reason for p in in_workers for e in p.errors)
    assert any("no such file" in e.reason for p in in_workers for e in p.errors)
    assert list(parallel.parse_paths([archive], workers=0)) == list(parse_path(archive))


def test_parallel_parsing_of_one_file_stays_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.sources import parallel
    from bot.sources.demo import write_demo

    write_demo(tmp_path, 1, region="74", seed=4, now=datetime(2026, 11, 20, tzinfo=UTC))
    (one,) = sorted(tmp_path.glob("epNotification*.xml"))

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process pool for one file")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    assert list(parallel.parse_paths([one], workers=2)) == list(parse_path(one))
    assert next(iter(parallel.parse_paths([tmp_path / "missing"], workers=2))).errors


def test_a_failing_parser_process_costs_only_its_own_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit whose worker raised is reported as an error of that file; a died worker
    (broken pool) makes its units parse here; everything else goes in."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from bot.sources import parallel
    from bot.sources.demo import write_demo

    write_demo(tmp_path, 6, region="74", seed=5, now=datetime(2026, 11, 20, tzinfo=UTC))
    files = sorted(tmp_path.glob("*.xml"))
    calls: list[int] = []

    class FlakyPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def __enter__(self) -> FlakyPool:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def submit(self, fn: Any, *args: Any) -> Future[Any]:
            calls.append(1)
            future: Future[Any] = Future()
            if len(calls) == 1:
                future.set_exception(ValueError("boom"))
            elif len(calls) == 2:
                future.set_exception(BrokenProcessPool("killed"))
            elif len(calls) == 3:
                raise BrokenProcessPool("the pool is gone")
            else:
                future.set_result(fn(*args))
            return future

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", FlakyPool)
    got = list(parallel.parse_paths([tmp_path], workers=2))
    assert [p.file for p in got] == [str(f) for f in files]
    assert "parser failed" in got[0].errors[0].reason and not got[0].documents
    assert all(p.documents and not p.errors for p in got[1:])  # reparsed here or in "workers"
