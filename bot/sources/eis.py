"""EIS (zakupki.gov.ru) open-data XML → records (see shared/samples/FORMATS.md).

Streaming: `lxml.etree.iterparse` walks the file and each document (a child of the 44-ФЗ
`<export>` wrapper, the print-form root, or one 223-ФЗ `body/item`) is mapped as soon as it is
complete, then cleared. Elements are matched by namespace URI family (`…/oos/…` for 44-ФЗ,
`…/223fz/…` or no namespace for 223-ФЗ) plus local name, never by prefix.

Date rules: date-times keep their own offset and are converted to UTC; values without an
offset (223-ФЗ) are Europe/Moscow. A day with a zone (`2025-10-22+03:00`) is a calendar day in
that zone: `auction_at` is the start of that day, `summarizing_at` the end of it (both in UTC).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

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
    SourceError,
    Stage,
    check_amounts,
)

MOSCOW = ZoneInfo("Europe/Moscow")

NS_EXPORT = "http://zakupki.gov.ru/oos/export/1"
NS_PRINTFORM = "http://zakupki.gov.ru/oos/printform/1"
NS_223_PURCHASE = "http://zakupki.gov.ru/223fz/purchase/1"
NS_223_CONTRACT = "http://zakupki.gov.ru/223fz/contract/1"
OOS_PREFIX = "http://zakupki.gov.ru/oos/"
FZ223_PREFIX = "http://zakupki.gov.ru/223fz/"

# Preference/requirement codes that restrict a 44-ФЗ purchase to SMP/SONKO (ч. 3 ст. 30).
SMP_ONLY_CODES = frozenset({"PVS33044"})

El = Any  # lxml element (lxml ships no type information)
Parsed = Document | SourceError


class DocumentError(ValueError):
    """A well-formed document that cannot be mapped (missing or invalid required data)."""


# ---------------------------------------------------------------- element lookups


@lru_cache(maxsize=8192)
def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def _split(tag: object) -> tuple[str, str] | None:
    if not isinstance(tag, str):
        return None  # comment, processing instruction, entity
    return _split_tag(tag)


def _local(el: El) -> str:
    parts = _split(el.tag)
    return parts[1] if parts else ""


class _Xml:
    """Look-ups limited to one family of namespace URIs, by local name."""

    def __init__(self, accepts: Callable[[str], bool]) -> None:
        self.accepts = accepts
        self._accepted: dict[str, bool] = {}

    def _ok(self, uri: str) -> bool:
        known = self._accepted.get(uri)
        if known is None:
            known = self._accepted[uri] = self.accepts(uri)
        return known

    def children(self, el: El, name: str) -> Iterator[El]:
        # lxml filters by local name in C ("{*}name" matches any namespace, or none).
        for child in el.iterchildren("{*}" + name):
            if self._ok(_split_tag(child.tag)[0]):
                yield child

    def findall(self, el: El | None, path: str) -> list[El]:
        if el is None:
            return []
        current: list[El] = [el]
        for step in path.split("/"):
            current = [c for e in current for c in self.children(e, step)]
            if not current:
                break
        return current

    def find(self, el: El | None, path: str) -> El | None:
        found = self.findall(el, path)
        return found[0] if found else None

    def text(self, el: El | None, path: str) -> str | None:
        node = self.find(el, path)
        if node is None:
            return None
        value: str | None = node.text
        if value is None:
            return None
        value = value.strip()
        return value or None

    def first_text(self, el: El | None, *paths: str) -> str | None:
        for path in paths:
            value = self.text(el, path)
            if value is not None:
                return value
        return None

    def descendants(self, el: El | None, name: str) -> Iterator[El]:
        if el is None:
            return
        for node in el.iter():
            parts = _split(node.tag)
            if parts and parts[1] == name and self.accepts(parts[0]) and node is not el:
                yield node

    def descendant_text(self, el: El | None, name: str) -> str | None:
        for node in self.descendants(el, name):
            value: str | None = node.text
            if value and value.strip():
                return value.strip()
        return None


X44 = _Xml(lambda uri: uri.startswith(OOS_PREFIX))
X223 = _Xml(lambda uri: uri == "" or uri.startswith(FZ223_PREFIX))


# ---------------------------------------------------------------- value parsing

_DAY_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$")


def _zone(suffix: str | None, default: tzinfo) -> tzinfo:
    if not suffix:
        return default
    if suffix == "Z":
        return UTC
    return datetime.fromisoformat(f"2000-01-01T00:00:00{suffix}").tzinfo or default


def parse_moment(text: str | None, naive: tzinfo = MOSCOW) -> datetime | None:
    """A date-time (or a day, taken at its start) as an aware UTC datetime."""
    if not text:
        return None
    day = _DAY_RE.match(text)
    if day:
        local = datetime.combine(date.fromisoformat(day.group(1)), time.min)
        return local.replace(tzinfo=_zone(day.group(2), naive)).astimezone(UTC)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive)
    return value.astimezone(UTC)


def parse_day_end(text: str | None, naive: tzinfo = MOSCOW) -> datetime | None:
    """A day with a zone → the end of that day in that zone (UTC); date-times as they are."""
    if not text:
        return None
    day = _DAY_RE.match(text)
    if not day:
        return parse_moment(text, naive)
    local = datetime.combine(date.fromisoformat(day.group(1)), time(23, 59, 59))
    return local.replace(tzinfo=_zone(day.group(2), naive)).astimezone(UTC)


def parse_date(text: str | None) -> date | None:
    """A calendar date as written (`2025-10-07`, `2025-10-22+03:00`, `1995-03-30T00:00:00`)."""
    if not text:
        return None
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        raise DocumentError(f"bad date {text!r}")
    return date.fromisoformat(text[:10])


def parse_money(text: str | None) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise DocumentError(f"bad amount {text!r}") from exc
    if not value.is_finite():
        raise DocumentError(f"bad amount {text!r}")
    return value


def _int(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise DocumentError(f"bad integer {text!r}") from exc


def _bool(text: str | None) -> bool:
    return (text or "").strip().lower() in {"true", "1"}


def region_code(kpp: str | None, inn: str | None) -> str | None:
    """Two-digit subject code: KPP first (FORMATS §16), then INN.

    KPP codes starting with 99 belong to the inspectorate for the largest taxpayers and say
    nothing about the region, so they fall through to the INN.
    """
    for code, banned in ((kpp, {"00", "99"}), (inn, {"00"})):
        if code and len(code) >= 2 and code[:2].isdigit() and code[:2] not in banned:
            return code[:2]
    return None


def decode_customer_code(code: str | None) -> tuple[str | None, str | None]:
    """IKZ `customerCode` = 1 digit + INN (10) + KPP (9)."""
    if code and len(code) == 20 and code.isdigit():
        return code[1:11], code[11:20]
    return None, None


def source_hash(el: El) -> str:
    try:
        canonical: bytes = etree.tostring(el, method="c14n")
    except etree.C14NError:
        if next(el.iter(etree.Entity), None) is not None:  # left unexpanded: we never do
            raise DocumentError("сущности XML (<!ENTITY>) запрещены") from None
        raise
    return hashlib.sha256(canonical).hexdigest()


EXTERNAL_ENTITIES = "внешние сущности запрещены: файл с <!ENTITY … SYSTEM> или внешним DTD отклонён"


def _external_entities(root: El) -> bool:
    """The document declares an external entity or DTD (an XXE attempt); nothing is ever
    fetched or expanded, but the file is refused with a plain reason."""
    docinfo = root.getroottree().docinfo
    if docinfo.system_url:
        return True
    dtd = docinfo.internalDTD
    return dtd is not None and any(e.system_url for e in dtd.iterentities())


def _dedupe(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


# ---------------------------------------------------------------- 44-ФЗ notices


_SMP_TEXT = re.compile(r"ч\.?\s*3\s*ст\.?\s*30|част[иь]\s*3\s*стат[ьи]и?\s*30", re.IGNORECASE)


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


def _pref_items(x: _Xml, blocks: list[El]) -> list[tuple[str | None, str | None]]:
    items: list[tuple[str | None, str | None]] = []
    for block in blocks:
        info = x.find(block, "preferenseRequirementInfo")
        target = info if info is not None else block
        items.append((x.text(target, "shortName"), x.text(target, "name")))
    return items


def _okpd2_codes(x: _Xml, scope: El | None) -> list[str]:
    codes: list[str] = []
    for node in x.descendants(scope, "OKPD2"):
        code = x.first_text(node, "OKPDCode", "code")
        if code:
            codes.append(code)
    return codes


def _customer_ids(
    x: _Xml, customer_code: str | None, role: str | None, resp: El | None
) -> tuple[str | None, str | None]:
    inn, kpp = decode_customer_code(customer_code)
    if inn is None and role == "CU":
        inn, kpp = x.text(resp, "INN"), x.text(resp, "KPP")
    return inn, kpp


def _notice44(el: El, doc_type: str, digest: str) -> ProcedureRecord:
    x = X44
    common = x.find(el, "commonInfo")
    if common is not None:  # 2020+ ep* layout (and the 2020-2021 transitional ep* types)
        head = common
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
        auction_at = parse_moment(x.text(proc, "biddingDate"))
        summarizing_at = parse_day_end(x.text(proc, "summarizingDate"))
        requirements = x.findall(info, "customerRequirementsInfo/customerRequirementInfo")
        first = requirements[0] if requirements else None
        customer_name = x.text(first, "customer/fullName")
        customer_code = x.text(first, "contractConditionsInfo/IKZInfo/customerCode")
        prefs = _pref_items(
            x,
            x.findall(info, "preferensesInfo/preferenseInfo")
            + x.findall(info, "requirementsInfo/requirementInfo")
            + x.findall(info, "restrictionsInfo/restrictionInfo"),
        )
        okpd2 = _okpd2_codes(x, x.find(info, "purchaseObjectsInfo"))
        if not okpd2:
            okpd2 = _okpd2_codes(x, first)
        lots: tuple[Lot, ...] = ()
    else:  # pre-2020 fcs* layout, flat in oos/types (export or print form)
        head = el
        resp = x.find(el, "purchaseResponsible/responsibleOrg")
        role = x.text(el, "purchaseResponsible/responsibleRole")
        proc = x.find(el, "procedureInfo")
        number = x.text(el, "purchaseNumber")
        published = parse_moment(x.first_text(el, "docPublishDate", "publishDate"))
        lot_nodes = x.findall(el, "lot") + x.findall(el, "lots/lot")
        prices = [parse_money(x.text(lot, "maxPrice")) for lot in lot_nodes]
        known = [p for p in prices if p is not None]
        max_price = sum(known, Decimal(0)) if known else None
        currency = x.text(lot_nodes[0], "currency/code") if lot_nodes else None
        applications_end = parse_moment(
            x.first_text(proc, "collecting/endDate", "collecting/endDT")
        )
        auction_at = parse_moment(x.first_text(proc, "bidding/date", "biddingDate"))
        summarizing_at = parse_day_end(
            x.first_text(proc, "summarizing/date", "summarizingDate", "summingUp/date")
        )
        first_req = x.find(
            lot_nodes[0] if lot_nodes else None, "customerRequirements/customerRequirement"
        )
        customer_name = x.text(first_req, "customer/fullName")
        customer_code = x.text(first_req, "IKZInfo/customerCode")
        blocks: list[El] = []
        okpd2 = []
        for lot in lot_nodes:
            blocks += x.findall(lot, "preferenses/preferense")
            blocks += x.findall(lot, "requirements/requirement")
            blocks += x.findall(lot, "restrictions/restriction")
            okpd2 += _okpd2_codes(x, lot)
        prefs = _pref_items(x, blocks)
        lots = ()
        if len(lot_nodes) > 1:
            lots = tuple(
                Lot(
                    number=_int(x.text(lot, "lotNumber"), i + 1),
                    title=x.text(lot, "lotObjectInfo") or x.text(el, "purchaseObjectInfo") or "",
                    max_price=price,
                    currency=x.text(lot, "currency/code") or "RUB",
                )
                for i, (lot, price) in enumerate(zip(lot_nodes, prices, strict=True))
            )
    if not number:
        raise DocumentError("no purchaseNumber")
    inn, kpp = _customer_ids(x, customer_code, role, resp)
    if not customer_name:
        customer_name = x.text(resp, "fullName") or ""
    return ProcedureRecord(
        number=number,
        law="44",
        doc_type=doc_type,
        method=x.text(head, "placingWay/name") or "",
        title=x.text(head, "purchaseObjectInfo") or "",
        customer_name=customer_name,
        customer_inn=inn,
        customer_kpp=kpp,
        region=region_code(kpp, inn),
        platform_name=x.text(head, "ETP/name"),
        platform_url=x.text(head, "ETP/url"),
        max_price=max_price,
        currency=currency or "RUB",
        published_at=published,
        applications_end=applications_end,
        auction_at=auction_at,
        summarizing_at=summarizing_at,
        smp_only=any(is_smp_restriction(code, name) for code, name in prefs),
        preferences=_dedupe([code or "" for code, _ in prefs]),
        okpd2=_dedupe(okpd2),
        lots=lots,
        status=None,
        version=_int(x.text(el, "versionNumber"), 1),
        source_hash=digest,
    )


def _cancel44(el: El, doc_type: str, digest: str) -> Document:
    """A notice cancellation: a full ProcedureRecord when the card data is there."""
    x = X44
    number = x.descendant_text(el, "purchaseNumber")
    if not number:
        raise DocumentError("no purchaseNumber")
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
    number = x.first_text(el, "purchaseNumber", "commonInfo/purchaseNumber") or (
        x.descendant_text(el, "purchaseNumber")
    )
    if not number:
        raise DocumentError("no purchaseNumber")
    at = parse_moment(
        x.first_text(el, "protocolDate", "commonInfo/protocolDate")
        or x.first_text(el, "publishDate", "commonInfo/publishDTInEIS")
    )
    return ProtocolRecord(
        procedure_number=number, law="44", doc_type=doc_type, status=status, at=at,
        source_hash=digest,
    )  # fmt: skip


# ---------------------------------------------------------------- 44-ФЗ contracts


_SUPPLIER_KINDS = (
    "legalEntityRF",
    "individualPersonRFIndEntr",
    "individualPersonRF",
    "legalEntityForeignState",
    "individualPersonForeignStateIndEntr",
    "individualPersonForeignState",
)


def _person_name(x: _Xml, scope: El) -> str:
    parts = [x.descendant_text(scope, n) for n in ("lastName", "firstName", "middleName")]
    return " ".join(p for p in parts if p)


def _supplier44(x: _Xml, el: El) -> tuple[str, str | None, bool | None]:
    supplier = x.find(el, "suppliersInfo/supplierInfo")
    if supplier is None:
        supplier = x.find(el, "suppliers/supplier")
    if supplier is None:
        return "", None, None
    party = None
    for kind in _SUPPLIER_KINDS:
        party = x.find(supplier, kind)
        if party is not None:
            break
    scope = party if party is not None else supplier
    name = x.descendant_text(scope, "fullName") or _person_name(x, scope)
    inn = x.descendant_text(scope, "INN") or x.descendant_text(scope, "inn")
    status = None
    for other in x.descendants(supplier, "otherInfo"):
        status = x.text(other, "statusInfo/code")
        if status:
            break
    smp = None if status is None else status == "30"
    return name, inn, smp


def _contract_stages(x: _Xml, el: El) -> tuple[Stage, ...]:
    finance: list[tuple[str | None, str | None, date | None, Decimal | None]] = []
    for path in (
        "finances/financingPlan/stages",
        "finances/budgetFunds/stages",
        "finances/extrabudgetFunds/stages",
    ):
        for st in x.findall(el, path):
            sums = [parse_money(n.text) for n in x.descendants(st, "paymentSum")]
            known = [s for s in sums if s is not None]
            total = sum(known, Decimal(0)) if known else None
            finance.append(
                (x.text(st, "guid"), x.text(st, "sid"), parse_date(x.text(st, "endDate")), total)
            )
    stages: list[Stage] = []
    for i, st in enumerate(x.findall(el, "executionPeriod/stages")):
        guid, sid = x.text(st, "guid"), x.text(st, "sid")
        end = parse_date(x.text(st, "endDate"))
        amount = parse_money(x.text(st, "stagePrice"))
        if amount is None:
            if guid or sid:
                matched = [
                    f[3] for f in finance if (guid and f[0] == guid) or (sid and f[1] == sid)
                ]
            else:
                matched = [f[3] for f in finance if f[2] == end]
            known = [m for m in matched if m is not None]
            amount = sum(known, Decimal(0)) if known else None
        stages.append(
            Stage(
                number=_int(x.text(st, "ordinalNumber"), i + 1),
                start=parse_date(x.text(st, "startDate")),
                end=end,
                amount=amount,
            )
        )
    return tuple(stages)


def _contract44(el: El, doc_type: str, digest: str) -> ContractRecord:  # noqa: ARG001  (the mappers' common signature)
    x = X44
    number = x.text(el, "regNum")
    if not number:
        raise DocumentError("no regNum")
    customer = x.find(el, "customer")
    inn = x.first_text(customer, "inn", "INN")
    kpp = x.first_text(customer, "kpp", "KPP")
    supplier_name, supplier_inn, smp = _supplier44(x, el)
    return ContractRecord(
        number=number,
        law="44",
        procedure_number=x.text(el, "foundation/fcsOrder/order/notificationNumber")
        or x.descendant_text(x.find(el, "foundation"), "notificationNumber"),
        customer_name=x.text(customer, "fullName") or "",
        customer_inn=inn,
        customer_kpp=kpp,
        region=region_code(kpp, inn),
        supplier_name=supplier_name,
        supplier_inn=supplier_inn,
        supplier_is_smp=smp,
        price=parse_money(x.first_text(el, "priceInfo/price", "priceInfo/priceRUR", "price")),
        currency=x.first_text(el, "priceInfo/currency/code", "currency/code") or "RUB",
        signed_on=parse_date(x.text(el, "signDate")),
        execution_start=parse_date(x.text(el, "executionPeriod/startDate")),
        execution_end=parse_date(x.text(el, "executionPeriod/endDate")),
        status_code=x.text(el, "currentContractStage"),
        stages=_contract_stages(x, el),
        version=_int(x.text(el, "versionNumber"), 1),
        source_hash=digest,
    )


def _doc_label(x: _Xml, scope: El | None) -> str:
    if scope is None:
        return ""
    parts = [x.text(scope, n) for n in ("documentName", "name", "documentNum", "number")]
    name = parts[0] or parts[1] or ""
    num = parts[2] or parts[3]
    return f"{name} № {num}".strip() if num else name


def _execution44(el: El, doc_type: str, digest: str) -> ExecutionRecord:
    x = X44
    number = x.text(el, "regNum")
    if not number:
        raise DocumentError("no regNum")
    stages: list[Stage] = []
    payments: list[Payment] = []
    acceptances: list[Acceptance] = []
    for i, block in enumerate(x.findall(el, "executions")):
        end = parse_date(x.text(block, "stage/endDate"))
        start = parse_date(x.text(block, "stage/startDate"))
        if end is not None or start is not None:
            stages.append(
                Stage(number=_int(x.text(block, "ordinalNumber"), i + 1), start=start, end=end)
            )
        for execution in x.findall(block, "execution"):
            paid = parse_money(x.first_text(execution, "paid", "paidRUR"))
            pay_doc = x.find(execution, "payDoc")
            if pay_doc is not None and paid is not None:
                payments.append(
                    Payment(
                        paid_on=parse_date(x.text(pay_doc, "documentDate")),
                        amount=paid,
                        document=_doc_label(x, pay_doc),
                    )
                )
            accept_doc = x.find(execution, "docExecution")
            if accept_doc is not None:
                acceptances.append(
                    Acceptance(
                        accepted_on=parse_date(x.text(accept_doc, "documentDate")),
                        amount=paid if paid else None,
                        document=_doc_label(x, accept_doc),
                    )
                )
    termination = x.find(el, "termination")
    reason = None
    if termination is not None:
        reason_name = x.text(termination, "reason/name")
        reason_text = x.text(termination, "reasonInfo")
        reason = " — ".join(r for r in (reason_name, reason_text) if r) or None
    return ExecutionRecord(
        contract_number=number,
        law="44",
        doc_type=doc_type,
        status_code=x.text(el, "currentContractStage"),
        stages=tuple(stages),
        acceptances=tuple(acceptances),
        payments=tuple(payments),
        terminated_on=parse_date(x.text(termination, "terminationDate")),
        termination_reason=reason,
        published_at=parse_moment(x.text(el, "publishDate")),
        source_hash=digest,
    )


def map_44(el: El) -> list[Document]:
    """Map one 44-ФЗ document element (export child or print-form root)."""
    doc_type = _local(el)
    digest = source_hash(el)
    low = doc_type.lower()
    if doc_type == "contract":
        return [_contract44(el, doc_type, digest)]
    if doc_type == "contractProcedure":
        return [_execution44(el, doc_type, digest)]
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


# ---------------------------------------------------------------- 223-ФЗ


def _data(x: _Xml, item: El) -> El:
    for child in item:
        parts = _split(child.tag)
        if parts and parts[1].endswith("Data") and x.accepts(parts[0]):
            return child
    raise DocumentError("no *Data element in item")


def _extend_fields(x: _Xml, scope: El | None) -> dict[str, tuple[str, str]]:
    """integrCode (lower case) → (description, raw value) for every extendField below scope."""
    fields: dict[str, tuple[str, str]] = {}
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


def _223_moment(fields: dict[str, tuple[str, str]], codes: tuple[str, ...]) -> datetime | None:
    for code in codes:
        if code in fields:
            try:
                return parse_moment(fields[code][1])
            except ValueError:
                continue
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
    lots: list[Lot] = []
    okpd2: list[str] = []
    smp = root_type.upper().endswith("SMBO")
    all_cancelled = True
    lot_nodes = x.findall(data, "lots/lot") + x.findall(data, "lot")
    for i, lot in enumerate(lot_nodes):
        body = x.find(lot, "lotData")
        body = body if body is not None else lot  # TFF-2.x: fields directly under lot
        okpd2 += [c for n in x.descendants(body, "okpd2") if (c := x.text(n, "code")) is not None]
        smp = smp or _bool(x.text(body, "forSmallOrMiddle"))
        if _bool(x.text(lot, "cancelled")):
            continue
        all_cancelled = False
        lots.append(
            Lot(
                number=_int(x.text(lot, "ordinalNumber"), i + 1),
                title=x.text(body, "subject") or "",
                max_price=parse_money(x.text(body, "initialSum")),
                currency=x.text(body, "currency/code") or "RUB",
            )
        )
    prices = [lot.max_price for lot in lots]
    currencies = {lot.currency for lot in lots}
    max_price = None
    if lots and all(p is not None for p in prices) and len(currencies) == 1:
        max_price = sum((p for p in prices if p is not None), Decimal(0))
    auction_raw = x.first_text(data, "auctionTime", "auctionDateTime", "auctionDate")
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
        max_price=max_price,
        currency=lots[0].currency if lots else "RUB",
        published_at=parse_moment(x.text(data, "publicationDateTime")),
        applications_end=parse_moment(x.text(data, "submissionCloseDateTime"))
        or _223_moment(fields, ("lotendreq", "submissionclosedatetime")),
        auction_at=parse_moment(auction_raw)
        or _223_moment(fields, ("auctiondatetime", "lotauctiondatetime")),
        summarizing_at=parse_moment(x.first_text(data, "summingupDateTime", "summingUpDate"))
        or _223_moment(
            fields,
            ("purchasedatetime", "summarizingdatetime", "lotsummarizingdatetime"),
        ),
        smp_only=smp,
        preferences=("forSmallOrMiddle",) if smp else (),
        okpd2=_dedupe(okpd2),
        lots=tuple(lots),
        status=CANCELLED if lot_nodes and all_cancelled else None,
        version=_int(x.text(data, "version"), 1),
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
        status_code="ET" if _bool(x.text(data, "termination")) else None,
        stages=(),
        version=_int(x.text(data, "version"), 1),
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
                    document=_doc_label(x, doc),
                )
            )
    return ExecutionRecord(
        contract_number=number,
        law="223",
        doc_type=root_type,
        status_code="EC" if _bool(x.text(data, "completed")) else None,
        acceptances=tuple(acceptances),
        payments=tuple(payments),
        published_at=parse_moment(x.text(data, "publicationDate")),
        source_hash=digest,
    )


Mapper223 = Callable[[str, El, str], Document]


def _mapper_223(uri: str, root_type: str) -> Mapper223 | None:
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


# ---------------------------------------------------------------- streaming driver


def _map_223(mapper: Mapper223, root_type: str, item: El) -> list[Document]:
    return [mapper(root_type, item, source_hash(item))]


def _doc_id(el: El) -> str:
    doc_type = _local(el)
    for name in ("purchaseNumber", "registrationNumber", "regNum", "contractRegNumber"):
        for x in (X44, X223):
            value = x.descendant_text(el, name)
            if value:
                return f"{doc_type} {value}"
    return doc_type


def _release(el: El) -> None:
    """Free a processed subtree and the already-processed siblings before it."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def parse_xml(source: str | Path | IO[bytes], name: str) -> Iterator[Parsed]:  # noqa: C901  (the streaming driver; split with bot/sources/eis/)
    """Yield every record (or SourceError) in one EIS XML file; never raises for bad input."""
    src: Any = str(source) if isinstance(source, Path) else source
    events = etree.iterparse(
        src,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    kind = ""
    root_type = ""
    mapper223: Mapper223 | None = None
    try:
        for event, el in events:
            if event == "start":
                if depth == 0:
                    if _external_entities(el):
                        yield SourceError(name, EXTERNAL_ENTITIES)
                        return
                    uri, root_type = _split(el.tag) or ("", "")
                    if uri == NS_EXPORT and root_type == "export":
                        kind = "export"
                    elif uri == NS_PRINTFORM or (uri.startswith(OOS_PREFIX) and uri != NS_EXPORT):
                        kind = "root44"
                    elif (mapper223 := _mapper_223(uri, root_type)) is not None:
                        kind = "223"
                    else:
                        yield SourceError(name, f"unknown root element {el.tag}", root_type)
                        return
                depth += 1
                continue
            depth -= 1
            if kind == "export" and depth == 1:
                yield from _guard(name, el, map_44)
                _release(el)
            elif kind == "root44" and depth == 0:
                yield from _guard(name, el, map_44)
            elif kind == "223" and depth == 2 and _local(el) == "item" and mapper223:
                yield from _guard(name, el, partial(_map_223, mapper223, root_type), root_type)
                _release(el)
    except etree.XMLSyntaxError as exc:
        yield SourceError(name, f"malformed XML: {exc}")
    except (OSError, ValueError, MemoryError) as exc:
        yield SourceError(name, f"cannot read XML: {exc}")


def _guard(
    name: str, el: El, mapper: Callable[[El], list[Document]], doc_type: str | None = None
) -> Iterator[Parsed]:
    """Map one document; a failure becomes a SourceError and the file goes on."""
    try:
        records = [check_amounts(record) for record in mapper(el)]
    except Exception as exc:  # one bad document must not lose the others
        label = _doc_id(el)
        if doc_type and not label.startswith(doc_type):
            label = f"{doc_type} {label}"
        yield SourceError(name, f"{type(exc).__name__}: {exc}", label)
        return
    yield from records
