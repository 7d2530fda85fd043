"""44-ФЗ contracts (`contract`) and their execution (`contractProcedure`) → records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bot.sources.eis.values import (
    parse_date,
    parse_int,
    parse_moment,
    parse_money,
    region_code,
    registry_number,
)
from bot.sources.eis.xml import X44, El, Xml, doc_label
from bot.sources.records import (
    Acceptance,
    ContractRecord,
    ExecutionRecord,
    Payment,
    Stage,
)

_SUPPLIER_KINDS = (
    "legalEntityRF",
    "individualPersonRFIndEntr",
    "individualPersonRF",
    "legalEntityForeignState",
    "individualPersonForeignStateIndEntr",
    "individualPersonForeignState",
)


def _person_name(x: Xml, scope: El) -> str:
    parts = [x.descendant_text(scope, n) for n in ("lastName", "firstName", "middleName")]
    return " ".join(p for p in parts if p)


def _supplier44(x: Xml, el: El) -> tuple[str, str | None, bool | None]:
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


def _contract_stages(x: Xml, el: El) -> tuple[Stage, ...]:
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
                number=parse_int(x.text(st, "ordinalNumber"), i + 1),
                start=parse_date(x.text(st, "startDate")),
                end=end,
                amount=amount,
            )
        )
    return tuple(stages)


def contract44(el: El, doc_type: str, digest: str) -> ContractRecord:  # noqa: ARG001  (the mappers' common signature)
    x = X44
    number = registry_number(x.text(el, "regNum"), "regNum")
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
        version=parse_int(x.text(el, "versionNumber"), 1),
        source_hash=digest,
    )


@dataclass(slots=True)
class _Execution:
    """What a contractProcedure's `executions` blocks add up to."""

    stages: list[Stage] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    acceptances: list[Acceptance] = field(default_factory=list)


def _execution_block(x: Xml, block: El, index: int, into: _Execution) -> None:
    """One `executions` block (the `index`-th): its stage, then each execution's payment
    and acceptance."""
    end = parse_date(x.text(block, "stage/endDate"))
    start = parse_date(x.text(block, "stage/startDate"))
    if end is not None or start is not None:
        number = parse_int(x.text(block, "ordinalNumber"), index + 1)
        into.stages.append(Stage(number=number, start=start, end=end))
    for execution in x.findall(block, "execution"):
        paid = parse_money(x.first_text(execution, "paid", "paidRUR"))
        pay_doc = x.find(execution, "payDoc")
        if pay_doc is not None and paid is not None:
            into.payments.append(
                Payment(
                    paid_on=parse_date(x.text(pay_doc, "documentDate")),
                    amount=paid,
                    document=doc_label(x, pay_doc),
                )
            )
        accept_doc = x.find(execution, "docExecution")
        if accept_doc is not None:
            into.acceptances.append(
                Acceptance(
                    accepted_on=parse_date(x.text(accept_doc, "documentDate")),
                    amount=paid if paid else None,
                    document=doc_label(x, accept_doc),
                )
            )


def _termination_reason(x: Xml, termination: El | None) -> str | None:
    if termination is None:
        return None
    reason_name = x.text(termination, "reason/name")
    reason_text = x.text(termination, "reasonInfo")
    return " — ".join(r for r in (reason_name, reason_text) if r) or None


def execution44(el: El, doc_type: str, digest: str) -> ExecutionRecord:
    x = X44
    number = registry_number(x.text(el, "regNum"), "regNum")
    done = _Execution()
    for i, block in enumerate(x.findall(el, "executions")):
        _execution_block(x, block, i, done)
    termination = x.find(el, "termination")
    return ExecutionRecord(
        contract_number=number,
        law="44",
        doc_type=doc_type,
        status_code=x.text(el, "currentContractStage"),
        stages=tuple(done.stages),
        acceptances=tuple(done.acceptances),
        payments=tuple(done.payments),
        terminated_on=parse_date(x.text(termination, "terminationDate")),
        termination_reason=_termination_reason(x, termination),
        published_at=parse_moment(x.text(el, "publishDate")),
        source_hash=digest,
    )
