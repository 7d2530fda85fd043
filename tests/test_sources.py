"""Parsers of EIS XML and OCDS JSON on the real samples (../shared/samples)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from bot.sources.files import parse_path
from bot.sources.records import (
    CLOSED,
    FINISHED,
    ContractRecord,
    ExecutionRecord,
    ProcedureRecord,
    ProtocolRecord,
)
from tests.support.sources import _docs, _one


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
    # biddingDate 2025-10-22+03:00 and summarizingDate are days: kept as the days written
    assert (doc.auction_at, doc.auction_on) == (None, date(2025, 10, 22))
    assert (doc.summarizing_at, doc.summarizing_on) == (None, date(2025, 10, 24))
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
    assert doc.summarizing_on is None and doc.auction_on is None
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
