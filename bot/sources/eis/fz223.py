"""223-ФЗ documents (one `body/item` each) → records; `mapper_223` picks the mapper by root."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from bot.sources.eis.values import (
    DocumentError,
    dedupe,
    parse_bool,
    parse_date,
    parse_int,
    parse_moment,
    parse_money,
    parse_when,
    region_code,
)
from bot.sources.eis.xml import NS_223_CONTRACT, NS_223_PURCHASE, X223, El, Xml, doc_label, split
from bot.sources.records import (
    CANCELLED,
    CLOSED,
    FINISHED,
    Acceptance,
    ContractRecord,
    Document,
    ExecutionRecord,
    Lot,
    Payment,
    ProcedureRecord,
    ProtocolRecord,
)
from bot.sources.when import NEITHER, When

Mapper223 = Callable[[str, El, str], Document]
Fields = dict[str, tuple[str, str]]  # integrCode (lower case) → (description, raw value)


def _data(x: Xml, item: El) -> El:
    for child in item:
        parts = split(child.tag)
        if parts and parts[1].endswith("Data") and x.accepts(parts[0]):
            return child
    raise DocumentError("no *Data element in item")


def _extend_fields(x: Xml, scope: El | None) -> Fields:
    """integrCode (lower case) → (description, raw value) for every extendField below scope."""
    fields: Fields = {}
    for field in x.descendants(scope, "extendField"):
        code = (x.text(field, "integrCode") or "").lower()
        value_el = x.find(field, "value")
        raw = None
        if value_el is not None:
            for child in value_el:
                if child.text and child.text.strip():
                    raw = child.text.strip()
                    break
        if code and raw and code not in fields:
            fields[code] = (x.text(field, "description") or "", raw)
    return fields


def _223_moment(fields: Fields, codes: tuple[str, ...]) -> datetime | None:
    for code in codes:
        if code in fields:
            try:
                return parse_moment(fields[code][1])
            except ValueError:
                continue
    return None


def _223_when(fields: Fields, codes: tuple[str, ...]) -> When:
    """The first readable extendField value of `codes`: a moment, or a day without a time."""
    for code in codes:
        if code in fields:
            try:
                return parse_when(fields[code][1])
            except ValueError:
                continue
    return NEITHER


def _notice_lots(data: El, smp: bool) -> tuple[list[Lot], list[str], bool, bool]:
    """(the lots still on, the OKPD2 codes, SMP-only, every lot cancelled)."""
    x = X223
    lots: list[Lot] = []
    okpd2: list[str] = []
    all_cancelled = True
    lot_nodes = x.findall(data, "lots/lot") + x.findall(data, "lot")
    for i, lot in enumerate(lot_nodes):
        body = x.find(lot, "lotData")
        body = body if body is not None else lot  # TFF-2.x: fields directly under lot
        okpd2 += [c for n in x.descendants(body, "okpd2") if (c := x.text(n, "code")) is not None]
        smp = smp or parse_bool(x.text(body, "forSmallOrMiddle"))
        if parse_bool(x.text(lot, "cancelled")):
            continue
        all_cancelled = False
        lots.append(
            Lot(
                number=parse_int(x.text(lot, "ordinalNumber"), i + 1),
                title=x.text(body, "subject") or "",
                max_price=parse_money(x.text(body, "initialSum")),
                currency=x.text(body, "currency/code") or "RUB",
            )
        )
    return lots, okpd2, smp, bool(lot_nodes) and all_cancelled


def _total_price(lots: list[Lot]) -> Decimal | None:
    """The sum of the lots' prices when every lot has one, all in one currency."""
    prices = [lot.max_price for lot in lots]
    currencies = {lot.currency for lot in lots}
    if lots and all(p is not None for p in prices) and len(currencies) == 1:
        return sum((p for p in prices if p is not None), Decimal(0))
    return None


def _notice223(root_type: str, item: El, digest: str) -> ProcedureRecord:
    x = X223
    data = _data(x, item)
    number = x.text(data, "registrationNumber")
    if not number:
        raise DocumentError("no registrationNumber")
    customer = x.find(data, "customer/mainInfo")
    inn, kpp = x.text(customer, "inn"), x.text(customer, "kpp")
    fields = _extend_fields(x, data)
    lots, okpd2, smp, cancelled = _notice_lots(data, root_type.upper().endswith("SMBO"))
    auction = parse_when(
        x.first_text(data, "auctionTime", "auctionDateTime", "auctionDate")
    ) or _223_when(fields, ("auctiondatetime", "lotauctiondatetime"))
    summarizing = parse_when(x.first_text(data, "summingupDateTime", "summingUpDate")) or _223_when(
        fields, ("purchasedatetime", "summarizingdatetime", "lotsummarizingdatetime")
    )
    return ProcedureRecord(
        number=number,
        law="223",
        doc_type=root_type,
        method=x.text(data, "purchaseCodeName") or "",
        title=x.text(data, "name") or (lots[0].title if lots else ""),
        customer_name=x.text(customer, "fullName") or "",
        customer_inn=inn,
        customer_kpp=kpp,
        region=region_code(kpp, inn),
        platform_name=x.text(data, "electronicPlaceInfo/name"),
        platform_url=x.text(data, "electronicPlaceInfo/url"),
        max_price=_total_price(lots),
        currency=lots[0].currency if lots else "RUB",
        published_at=parse_moment(x.text(data, "publicationDateTime")),
        applications_end=parse_moment(x.text(data, "submissionCloseDateTime"))
        or _223_moment(fields, ("lotendreq", "submissionclosedatetime")),
        auction_at=auction.at,
        summarizing_at=summarizing.at,
        auction_on=auction.on,
        summarizing_on=summarizing.on,
        smp_only=smp,
        preferences=("forSmallOrMiddle",) if smp else (),
        okpd2=dedupe(okpd2),
        lots=tuple(lots),
        status=CANCELLED if cancelled else None,
        version=parse_int(x.text(data, "version"), 1),
        source_hash=digest,
    )


def protocol_status_223(doc_type: str, type_name: str | None) -> str:
    """FORMATS §12: summing-up / evaluation protocols finish the purchase, others close intake."""
    low = doc_type.lower()
    name = (type_name or "").lower()
    if "cancel" in low or "отмен" in name:
        return CANCELLED
    final_words = ("summingup", "final", "osz", "result")
    if any(w in low for w in final_words) or re.search(r"(zk|zkesmbo|zp|zpesmbo)$", low):
        return FINISHED
    if any(w in name for w in ("итог", "несостоявш", "оценк", "единственн")):
        return FINISHED
    return CLOSED


def _protocol223(root_type: str, item: El, digest: str) -> ProtocolRecord:
    x = X223
    data = _data(x, item)
    number = x.text(data, "purchaseInfo/purchaseNoticeNumber")
    if not number:
        reg = x.text(data, "registrationNumber")
        number = reg.split("-")[0] if reg else None
    if not number:
        raise DocumentError("no purchaseNoticeNumber")
    return ProtocolRecord(
        procedure_number=number,
        law="223",
        doc_type=root_type,
        status=protocol_status_223(root_type, x.text(data, "typeName")),
        at=parse_moment(x.first_text(data, "procedureDate", "publicationDateTime")),
        source_hash=digest,
    )


def _rejection223(root_type: str, item: El, digest: str) -> ProtocolRecord:
    """A purchase rejection (отказ от закупки; *not seen* in samples) → CANCELLED."""
    x = X223
    data = _data(x, item)
    number = x.text(data, "purchaseInfo/purchaseNoticeNumber") or x.text(data, "registrationNumber")
    if not number:
        raise DocumentError("no purchase number")
    return ProtocolRecord(
        procedure_number=number.split("-")[0],
        law="223",
        doc_type=root_type,
        status=CANCELLED,
        at=parse_moment(x.text(data, "publicationDateTime")),
        source_hash=digest,
    )


def _contract223(root_type: str, item: El, digest: str) -> ContractRecord:  # noqa: ARG001  (the mappers' common signature)
    x = X223
    data = _data(x, item)
    number = x.text(data, "contractRegNumber") or x.text(data, "registrationNumber")
    if not number:
        raise DocumentError("no contractRegNumber")
    customer = x.find(data, "customer/mainInfo")
    inn, kpp = x.text(customer, "inn"), x.text(customer, "kpp")
    supplier = x.find(data, "supplierInfo")
    return ContractRecord(
        number=number,
        law="223",
        procedure_number=x.text(data, "purchaseNoticeInfo/purchaseNoticeNumber"),
        customer_name=x.text(customer, "fullName") or "",
        customer_inn=inn,
        customer_kpp=kpp,
        region=region_code(kpp, inn),
        supplier_name=x.first_text(supplier, "name", "shortName") or "",
        supplier_inn=x.text(supplier, "inn"),
        supplier_is_smp=None,
        price=parse_money(x.text(data, "price")),
        currency=x.text(data, "currency/code") or "RUB",
        signed_on=parse_date(x.text(data, "contractDate")),
        execution_start=parse_date(x.text(data, "startExecutionDate")),
        execution_end=parse_date(x.text(data, "endExecutionDate")),
        status_code="ET" if parse_bool(x.text(data, "termination")) else None,
        stages=(),
        version=parse_int(x.text(data, "version"), 1),
        source_hash=digest,
    )


def _performance223(root_type: str, item: El, digest: str) -> ExecutionRecord:
    x = X223
    data = _data(x, item)
    number = x.text(data, "contractRegNumber")
    if not number:
        raise DocumentError("no contractRegNumber")
    payments: list[Payment] = []
    acceptances: list[Acceptance] = []
    for position in x.findall(data, "positions/position"):
        amount = parse_money(x.first_text(position, "rubPrice", "price"))
        docs = x.findall(position, "docs/doc")
        if amount is not None:
            payments.append(
                Payment(
                    paid_on=parse_date(x.text(position, "paymentDate")),
                    amount=amount,
                    document=f"позиция {x.text(position, 'ordinal') or ''}".strip(),
                )
            )
        for doc in docs:
            acceptances.append(
                Acceptance(
                    accepted_on=parse_date(x.text(doc, "date")),
                    amount=amount if len(docs) == 1 else None,
                    document=doc_label(x, doc),
                )
            )
    return ExecutionRecord(
        contract_number=number,
        law="223",
        doc_type=root_type,
        status_code="EC" if parse_bool(x.text(data, "completed")) else None,
        acceptances=tuple(acceptances),
        payments=tuple(payments),
        published_at=parse_moment(x.text(data, "publicationDate")),
        source_hash=digest,
    )


def mapper_223(uri: str, root_type: str) -> Mapper223 | None:
    """The mapper for a 223-ФЗ file's root element, None when it is not one we read."""
    if uri == NS_223_PURCHASE:
        if root_type.startswith("purchaseNotice"):
            return _notice223
        if root_type.startswith("purchaseProtocol"):
            return _protocol223
        if root_type.startswith("purchaseRejection"):
            return _rejection223
    if uri == NS_223_CONTRACT:
        if root_type == "contract":
            return _contract223
        if root_type == "performanceContract":
            return _performance223
    return None
