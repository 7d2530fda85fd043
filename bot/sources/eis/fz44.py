"""44-ФЗ notices, cancellations and protocols → records; `map_44` dispatches every 44-ФЗ
document (contracts and their execution are mapped in `fz44_contracts`).

A notice comes in one of two layouts: the 2020+ `ep*` one (everything under `commonInfo`,
`notificationInfo`, …) and the pre-2020 `fcs*` one (flat, prices and customers per lot).
Each layout has its own reader; both fill a `_Notice`, from which one `ProcedureRecord` is
built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from bot.sources.eis.fz44_contracts import contract44, execution44
from bot.sources.eis.values import (
    DocumentError,
    decode_customer_code,
    dedupe,
    parse_int,
    parse_moment,
    parse_money,
    parse_when,
    region_code,
    registry_number,
)
from bot.sources.eis.xml import X44, El, Xml, local_name, source_hash
from bot.sources.records import (
    CANCELLED,
    CLOSED,
    FINISHED,
    Document,
    Lot,
    ProcedureRecord,
    ProtocolRecord,
)
from bot.sources.when import When

# Preference/requirement codes that restrict a 44-ФЗ purchase to SMP/SONKO (ч. 3 ст. 30).
SMP_ONLY_CODES = frozenset({"PVS33044"})

_SMP_TEXT = re.compile(r"ч\.?\s*3\s*ст\.?\s*30|част[иь]\s*3\s*стат[ьи]и?\s*30", re.IGNORECASE)

Preference = tuple[str | None, str | None]  # (short code, name)


def is_smp_restriction(code: str | None, name: str | None) -> bool:
    """FORMATS §15: SMP/SONKO-only purchase (ч. 3 ст. 30), not the subcontracting rule."""
    if code and code.upper() in SMP_ONLY_CODES:
        return True
    text = (name or "").lower()
    if not text or "ч. 5 ст. 30" in text or "привлечени" in text or "субподряд" in text:
        return False
    if _SMP_TEXT.search(text):
        return True
    return "малого предпринимательства" in text and "ограничени" in text


# ---------------------------------------------------------------- notices: shared helpers


@dataclass(frozen=True, slots=True)
class _Notice:
    """What a notice says, read from either layout."""

    head: El  # where placingWay, purchaseObjectInfo and ETP are
    resp: El | None  # the responsible organisation
    role: str | None  # its role: "CU" is the customer itself
    number: str | None
    published: datetime | None
    max_price: Decimal | None
    currency: str | None
    applications_end: datetime | None
    auction: When  # biddingDate: a day with its zone in every sample
    summarizing: When  # summarizingDate: the same
    customer_name: str | None
    customer_code: str | None  # IKZ customerCode
    prefs: list[Preference]
    okpd2: list[str]
    lots: tuple[Lot, ...] = ()


def _pref_items(x: Xml, blocks: list[El]) -> list[Preference]:
    items: list[Preference] = []
    for block in blocks:
        info = x.find(block, "preferenseRequirementInfo")
        target = info if info is not None else block
        items.append((x.text(target, "shortName"), x.text(target, "name")))
    return items


def _okpd2_codes(x: Xml, scope: El | None) -> list[str]:
    codes: list[str] = []
    for node in x.descendants(scope, "OKPD2"):
        code = x.first_text(node, "OKPDCode", "code")
        if code:
            codes.append(code)
    return codes


def _customer_ids(
    x: Xml, customer_code: str | None, role: str | None, resp: El | None
) -> tuple[str | None, str | None]:
    inn, kpp = decode_customer_code(customer_code)
    if inn is None and role == "CU":
        inn, kpp = x.text(resp, "INN"), x.text(resp, "KPP")
    return inn, kpp


def _procedure(el: El, doc_type: str, digest: str, notice: _Notice) -> ProcedureRecord:
    x = X44
    number = registry_number(notice.number, "purchaseNumber")
    inn, kpp = _customer_ids(x, notice.customer_code, notice.role, notice.resp)
    head = notice.head
    return ProcedureRecord(
        number=number,
        law="44",
        doc_type=doc_type,
        method=x.text(head, "placingWay/name") or "",
        title=x.text(head, "purchaseObjectInfo") or "",
        customer_name=notice.customer_name or x.text(notice.resp, "fullName") or "",
        customer_inn=inn,
        customer_kpp=kpp,
        region=region_code(kpp, inn),
        platform_name=x.text(head, "ETP/name"),
        platform_url=x.text(head, "ETP/url"),
        max_price=notice.max_price,
        currency=notice.currency or "RUB",
        published_at=notice.published,
        applications_end=notice.applications_end,
        auction_at=notice.auction.at,
        summarizing_at=notice.summarizing.at,
        auction_on=notice.auction.on,
        summarizing_on=notice.summarizing.on,
        smp_only=any(is_smp_restriction(code, name) for code, name in notice.prefs),
        preferences=dedupe([code or "" for code, _ in notice.prefs]),
        okpd2=dedupe(notice.okpd2),
        lots=notice.lots,
        status=None,
        version=parse_int(x.text(el, "versionNumber"), 1),
        source_hash=digest,
    )


# ---------------------------------------------------------------- notices: the two layouts


def _notice_2020(el: El, common: El) -> _Notice:
    """The 2020+ ep* layout (and the 2020-2021 transitional ep* types)."""
    x = X44
    resp = x.find(el, "purchaseResponsibleInfo/responsibleOrgInfo")
    role = x.text(el, "purchaseResponsibleInfo/responsibleRole")
    info = x.find(el, "notificationInfo")
    proc = x.find(info, "procedureInfo")
    number = x.text(common, "purchaseNumber")
    published = parse_moment(x.text(common, "publishDTInEIS")) or parse_moment(
        x.text(common, "plannedPublishDate")
    )
    max_price = parse_money(x.text(info, "contractConditionsInfo/maxPriceInfo/maxPrice"))
    currency = x.text(info, "contractConditionsInfo/maxPriceInfo/currency/code")
    applications_end = parse_moment(x.text(proc, "collectingInfo/endDT"))
    auction = parse_when(x.text(proc, "biddingDate"))
    summarizing = parse_when(x.text(proc, "summarizingDate"))
    requirements = x.findall(info, "customerRequirementsInfo/customerRequirementInfo")
    first = requirements[0] if requirements else None
    prefs = _pref_items(
        x,
        x.findall(info, "preferensesInfo/preferenseInfo")
        + x.findall(info, "requirementsInfo/requirementInfo")
        + x.findall(info, "restrictionsInfo/restrictionInfo"),
    )
    okpd2 = _okpd2_codes(x, x.find(info, "purchaseObjectsInfo")) or _okpd2_codes(x, first)
    return _Notice(
        head=common,
        resp=resp,
        role=role,
        number=number,
        published=published,
        max_price=max_price,
        currency=currency,
        applications_end=applications_end,
        auction=auction,
        summarizing=summarizing,
        customer_name=x.text(first, "customer/fullName"),
        customer_code=x.text(first, "contractConditionsInfo/IKZInfo/customerCode"),
        prefs=prefs,
        okpd2=okpd2,
    )


def _fcs_lots(el: El, lot_nodes: list[El], prices: list[Decimal | None]) -> tuple[Lot, ...]:
    """The lots of a multi-lot fcs* notice (a single lot is the procedure itself)."""
    x = X44
    if len(lot_nodes) <= 1:
        return ()
    return tuple(
        Lot(
            number=parse_int(x.text(lot, "lotNumber"), i + 1),
            title=x.text(lot, "lotObjectInfo") or x.text(el, "purchaseObjectInfo") or "",
            max_price=price,
            currency=x.text(lot, "currency/code") or "RUB",
        )
        for i, (lot, price) in enumerate(zip(lot_nodes, prices, strict=True))
    )


def _fcs_prefs_and_okpd2(lot_nodes: list[El]) -> tuple[list[Preference], list[str]]:
    x = X44
    blocks: list[El] = []
    okpd2: list[str] = []
    for lot in lot_nodes:
        blocks += x.findall(lot, "preferenses/preferense")
        blocks += x.findall(lot, "requirements/requirement")
        blocks += x.findall(lot, "restrictions/restriction")
        okpd2 += _okpd2_codes(x, lot)
    return _pref_items(x, blocks), okpd2


def _notice_fcs(el: El) -> _Notice:
    """The pre-2020 fcs* layout, flat in oos/types (export or print form)."""
    x = X44
    resp = x.find(el, "purchaseResponsible/responsibleOrg")
    role = x.text(el, "purchaseResponsible/responsibleRole")
    proc = x.find(el, "procedureInfo")
    number = x.text(el, "purchaseNumber")
    published = parse_moment(x.first_text(el, "docPublishDate", "publishDate"))
    lot_nodes = x.findall(el, "lot") + x.findall(el, "lots/lot")
    prices = [parse_money(x.text(lot, "maxPrice")) for lot in lot_nodes]
    known = [p for p in prices if p is not None]
    applications_end = parse_moment(x.first_text(proc, "collecting/endDate", "collecting/endDT"))
    auction = parse_when(x.first_text(proc, "bidding/date", "biddingDate"))
    summarizing = parse_when(
        x.first_text(proc, "summarizing/date", "summarizingDate", "summingUp/date")
    )
    first_lot = lot_nodes[0] if lot_nodes else None
    first_req = x.find(first_lot, "customerRequirements/customerRequirement")
    prefs, okpd2 = _fcs_prefs_and_okpd2(lot_nodes)
    return _Notice(
        head=el,
        resp=resp,
        role=role,
        number=number,
        published=published,
        max_price=sum(known, Decimal(0)) if known else None,
        currency=x.text(first_lot, "currency/code"),
        applications_end=applications_end,
        auction=auction,
        summarizing=summarizing,
        customer_name=x.text(first_req, "customer/fullName"),
        customer_code=x.text(first_req, "IKZInfo/customerCode"),
        prefs=prefs,
        okpd2=okpd2,
        lots=_fcs_lots(el, lot_nodes, prices),
    )


def _notice44(el: El, doc_type: str, digest: str) -> ProcedureRecord:
    common = X44.find(el, "commonInfo")
    notice = _notice_2020(el, common) if common is not None else _notice_fcs(el)
    return _procedure(el, doc_type, digest, notice)


# ---------------------------------------------------------------- cancellations, protocols


def _cancel44(el: El, doc_type: str, digest: str) -> Document:
    """A notice cancellation: a full ProcedureRecord when the card data is there."""
    x = X44
    number = registry_number(x.descendant_text(el, "purchaseNumber"), "purchaseNumber")
    at = parse_moment(
        x.descendant_text(el, "publishDTInEIS")
        or x.descendant_text(el, "docPublishDate")
        or x.descendant_text(el, "publishDate")
    )
    title = x.descendant_text(el, "purchaseObjectInfo")
    common = x.find(el, "commonInfo")
    method = x.text(common if common is not None else el, "placingWay/name")
    if title and method and x.descendant_text(el, "fullName"):
        try:
            record = _notice44(el, doc_type, digest)
        except DocumentError:
            record = None
        if record is not None:
            return replace(record, status=CANCELLED, published_at=record.published_at or at)
    return ProtocolRecord(
        procedure_number=number, law="44", doc_type=doc_type, status=CANCELLED, at=at,
        source_hash=digest,
    )  # fmt: skip


_FINAL_44 = re.compile(
    r"(final|summ|singleapp|singlepart|invalidation|afterprolong|result|ef3|eok3|ezk2|ok2|okd5|"
    r"oku3|zkb?|zp|zk44)$"
)


def protocol_status_44(doc_type: str) -> str | None:
    """FORMATS §8: final protocols finish a procedure, the others close application intake."""
    low = doc_type.lower()
    skip_words = ("cancel", "evasion", "deviation", "refusal", "prolong")
    if any(w in low for w in skip_words) and not low.endswith("afterprolong"):
        return None
    if _FINAL_44.search(low):
        return FINISHED
    return CLOSED


def _protocol44(el: El, doc_type: str, digest: str) -> ProtocolRecord | None:
    x = X44
    status = protocol_status_44(doc_type)
    if status is None:
        return None
    number = registry_number(
        x.first_text(el, "purchaseNumber", "commonInfo/purchaseNumber")
        or x.descendant_text(el, "purchaseNumber"),
        "purchaseNumber",
    )
    at = parse_moment(
        x.first_text(el, "protocolDate", "commonInfo/protocolDate")
        or x.first_text(el, "publishDate", "commonInfo/publishDTInEIS")
    )
    return ProtocolRecord(
        procedure_number=number, law="44", doc_type=doc_type, status=status, at=at,
        source_hash=digest,
    )  # fmt: skip


# ---------------------------------------------------------------- dispatch


def map_44(el: El) -> list[Document]:
    """Map one 44-ФЗ document element (export child or print-form root)."""
    doc_type = local_name(el)
    digest = source_hash(el)
    low = doc_type.lower()
    if doc_type == "contract":
        return [contract44(el, doc_type, digest)]
    if doc_type == "contractProcedure":
        return [execution44(el, doc_type, digest)]
    if "notification" in low and "cancel" in low:
        if "cancelfailure" in low:
            raise DocumentError(f"unsupported document type {doc_type}")
        return [_cancel44(el, doc_type, digest)]
    if low.startswith(("epnotification", "fcsnotification")):
        return [_notice44(el, doc_type, digest)]
    if low.startswith(("epprotocol", "fcsprotocol")):
        record = _protocol44(el, doc_type, digest)
        return [record] if record is not None else []
    raise DocumentError(f"unknown document type {doc_type}")
