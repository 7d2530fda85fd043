"""OCDS JSON (release packages, record packages, records, bare releases) → records (FORMATS §18).

Releases of one `ocid` in a package are merged in `date` order (later top-level keys win), which
approximates the compiled release; a record's `compiledRelease` is used as is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.sources.records import (
    CANCELLED,
    FINISHED,
    ContractRecord,
    Document,
    ExecutionRecord,
    Lot,
    Payment,
    ProcedureRecord,
    SourceError,
    Stage,
    check_amount,
    check_amounts,
)
from bot.sources.when import When, written_day

Json = dict[str, Any]
Parsed = Document | SourceError

# Tender statuses (OCDS codelist) that fix the procedure status; the rest derive from dates.
_TENDER_STATUS = {
    "cancelled": CANCELLED,
    "withdrawn": CANCELLED,
    "unsuccessful": FINISHED,
    "complete": FINISHED,
}
# Contract statuses → 44-ФЗ style codes (§18.2 mapping read backwards; `terminated` is ambiguous).
_CONTRACT_STATUS = {"active": "E", "cancelled": "IN"}


def _obj(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Json]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return None


def amount(value: object) -> Decimal | None:
    """`value.amount` (or 1.0-era `amount.amount`): Decimal; "" and null are None."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return check_amount(result)


def _money(holder: Json) -> tuple[Decimal | None, str]:
    value = _obj(holder.get("value")) or _obj(holder.get("amount"))
    return amount(value.get("amount")), (_str(value.get("currency")) or "").upper()


def moment(value: object) -> datetime | None:
    text = _str(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None  # OCDS requires offsets; a naive time has no reliable meaning
    return parsed.astimezone(UTC)


def when(value: object) -> When:
    """A date written without a time (`2026-12-04`, `2026-12-04+05:00`) → that day; a
    date-time with an offset → its moment (`moment`); anything else → neither."""
    on = written_day(_str(value))
    return When(on=on) if on is not None else When(at=moment(value))


def day(value: object) -> date | None:
    """The calendar date as the publisher wrote it (local to its own offset)."""
    text = _str(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _hash(obj: object) -> str:
    canonical = json.dumps(
        obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _merge(releases: list[Json]) -> Json:
    merged: Json = {}
    for release in sorted(releases, key=lambda r: _str(r.get("date")) or ""):
        merged.update(release)
    return merged


def _releases(data: object) -> Iterator[Json]:
    """Sniff the container shape (§18.1) and yield one current-state release per ocid."""
    if not isinstance(data, dict):
        raise ValueError("JSON root is not an object")
    if isinstance(data.get("records"), list):
        for record in _list(data["records"]):
            yield _record_release(record)
        return
    if isinstance(data.get("releases"), list):
        groups: dict[str, list[Json]] = {}
        for release in _list(data["releases"]):
            groups.setdefault(_str(release.get("ocid")) or "", []).append(release)
        for group in groups.values():
            yield _merge(group)
        return
    if "compiledRelease" in data or ("releases" in data and "ocid" in data):
        yield _record_release(data)
        return
    if "ocid" in data and ("tag" in data or "tender" in data):
        yield data
        return
    raise ValueError("not an OCDS release, record or package")


def _record_release(record: Json) -> Json:
    compiled = _obj(record.get("compiledRelease"))
    if compiled:
        return compiled
    embedded = [r for r in _list(record.get("releases")) if "tender" in r or "awards" in r]
    if not embedded:
        raise ValueError(f"record {record.get('ocid')!r} has neither compiledRelease nor releases")
    return _merge(embedded)


def _org_ids(org: Json) -> tuple[str | None, str | None]:
    """(INN, KPP) when the identifier is a Russian tax number, else (None, None)."""
    identifier = _obj(org.get("identifier"))
    scheme = (_str(identifier.get("scheme")) or "").upper()
    ident = _str(identifier.get("id"))
    if scheme.startswith("RU") and ident and ident.isdigit() and len(ident) in (10, 12):
        return ident, None
    return None, None


def _buyer(release: Json) -> Json:
    buyer = _obj(release.get("buyer"))
    buyer_id = _str(buyer.get("id"))
    for party in _list(release.get("parties")):
        if (buyer_id and _str(party.get("id")) == buyer_id) or (
            not buyer and "buyer" in (party.get("roles") or [])
        ):
            return {**party, **buyer}
    return buyer or _obj(_obj(release.get("tender")).get("procuringEntity"))


def _procedure(release: Json, ocid: str, digest: str) -> ProcedureRecord:
    tender = _obj(release.get("tender"))
    buyer = _buyer(release)
    inn, kpp = _org_ids(buyer)
    max_price, currency = _money(tender)
    okpd2 = [
        code
        for item in _list(tender.get("items"))
        for cls in [_obj(item.get("classification")), *_list(item.get("additionalClassifications"))]
        if (_str(cls.get("scheme")) or "").upper() in {"OKPD2", "ОКПД2"}
        and (code := _str(cls.get("id")))
    ]
    lots = []
    for i, lot in enumerate(_list(tender.get("lots"))):
        lot_price, lot_currency = _money(lot)
        lots.append(
            Lot(
                number=i + 1,
                title=_str(lot.get("title")) or _str(lot.get("description")) or "",
                max_price=lot_price,
                currency=lot_currency or currency or "RUB",
            )
        )
    period = _obj(tender.get("tenderPeriod"))
    auction = when(_obj(tender.get("auctionPeriod")).get("startDate"))
    summarizing = when(_obj(tender.get("awardPeriod")).get("endDate"))
    return ProcedureRecord(
        number=ocid,
        law="ocds",
        doc_type="ocds",
        method=_str(tender.get("procurementMethodDetails"))
        or _str(tender.get("procurementMethod"))
        or "",
        title=_str(tender.get("title")) or _str(tender.get("description")) or "",
        customer_name=_str(buyer.get("name")) or "",
        customer_inn=inn,
        customer_kpp=kpp,
        region=None,
        platform_name=None,
        platform_url=None,
        max_price=max_price,
        currency=currency,
        published_at=moment(tender.get("datePublished"))
        or moment(period.get("startDate"))
        or moment(release.get("date")),
        applications_end=moment(period.get("endDate")),
        auction_at=auction.at,
        summarizing_at=summarizing.at,
        auction_on=auction.on,
        summarizing_on=summarizing.on,
        smp_only=False,
        okpd2=tuple(dict.fromkeys(okpd2)),
        lots=tuple(lots),
        status=_TENDER_STATUS.get((_str(tender.get("status")) or "").lower()),
        version=1,
        source_hash=digest,
    )


def _milestones(contract: Json) -> tuple[Stage, ...]:
    found = _list(contract.get("milestones")) + _list(
        _obj(contract.get("implementation")).get("milestones")
    )
    stages = []
    for i, milestone in enumerate(found):
        ms_amount, _ = _money(milestone)
        stages.append(
            Stage(number=i + 1, start=None, end=day(milestone.get("dueDate")), amount=ms_amount)
        )
    return tuple(stages)


def _contracts(release: Json, ocid: str, digest: str) -> Iterator[Document]:
    buyer = _buyer(release)
    inn, kpp = _org_ids(buyer)
    awards = {(_str(a.get("id")) or ""): a for a in _list(release.get("awards"))}
    contracts = _list(release.get("contracts"))
    used = {_str(c.get("awardID")) for c in contracts}
    # Awards without a contract still say who won and for how much.
    entries = [(c, awards.get(_str(c.get("awardID")) or "", {})) for c in contracts]
    entries += [
        ({}, a)
        for key, a in awards.items()
        if key not in used and (_str(a.get("status")) or "active") == "active"
    ]
    for contract, award in entries:
        supplier = (_list(award.get("suppliers")) or [{}])[0]
        supplier_inn, _ = _org_ids(supplier)
        price, currency = _money(contract)
        if price is None:
            price, currency = _money(award)
        period = _obj(contract.get("period")) or _obj(award.get("contractPeriod"))
        if contract:
            number = f"{ocid}:{_str(contract.get('id')) or ''}"
        else:
            number = f"{ocid}:award:{_str(award.get('id')) or ''}"
        yield ContractRecord(
            number=number,
            law="ocds",
            procedure_number=ocid,
            customer_name=_str(buyer.get("name")) or "",
            customer_inn=inn,
            customer_kpp=kpp,
            region=None,
            supplier_name=_str(supplier.get("name")) or "",
            supplier_inn=supplier_inn,
            supplier_is_smp=None,
            price=price,
            currency=currency,
            signed_on=day(contract.get("dateSigned")) or day(award.get("date")),
            execution_start=day(period.get("startDate")),
            execution_end=day(period.get("endDate")),
            status_code=_CONTRACT_STATUS.get((_str(contract.get("status")) or "").lower()),
            stages=_milestones(contract),
            version=1,
            source_hash=digest,
        )
        transactions = _list(_obj(contract.get("implementation")).get("transactions"))
        payments = []
        for tx in transactions:
            paid, _ = _money(tx)
            if paid is not None:
                payments.append(
                    Payment(
                        paid_on=day(tx.get("date")), amount=paid, document=_str(tx.get("id")) or ""
                    )
                )
        if payments:
            yield ExecutionRecord(
                contract_number=number,
                law="ocds",
                doc_type="ocds",
                status_code=_CONTRACT_STATUS.get((_str(contract.get("status")) or "").lower()),
                payments=tuple(payments),
                published_at=moment(release.get("date")),
                source_hash=digest,
            )


def parse_json(data: bytes, name: str) -> Iterator[Parsed]:
    """Yield records (or SourceErrors) from one OCDS JSON file; never raises for bad input."""
    try:
        parsed = json.loads(data, parse_float=Decimal)
        releases = list(_releases(parsed))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        yield SourceError(name, f"bad OCDS JSON: {exc}")
        return
    for release in releases:
        ocid = _str(release.get("ocid"))
        if not ocid:
            yield SourceError(name, "release without ocid", _str(release.get("id")))
            continue
        try:
            digest = _hash(release)
            records: list[Document] = [_procedure(release, ocid, digest)]
            records += _contracts(release, ocid, digest)
            records = [check_amounts(record) for record in records]
        except Exception as exc:  # one bad release must not lose the others
            yield SourceError(name, f"{type(exc).__name__}: {exc}", ocid)
            continue
        yield from records
