"""SOAP 1.1 for getDocsIP: the request envelopes, and reading an answer (archive links,
``noData``, ``errorInfo``) or a fault."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from bot.sources.eis_client.errors import EisError
from bot.sources.eis_client.queries import Query, region_code

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
WS_NS = "http://zakupki.gov.ru/fz44/get-docs-ip/ws"
TOKEN_HEADER = "individualPerson_token"

El = Any  # lxml element (lxml ships no type information)

# ---------------------------------------------------------------- envelopes


def _sub(parent: El, tag: str, text: str | None = None) -> El:
    el = etree.SubElement(parent, tag)
    if text is not None:
        try:
            el.text = text  # lxml escapes &, <, > on serialisation
        except ValueError as exc:  # control characters cannot be sent in XML at all
            raise EisError(f"value for <{tag}> is not XML-compatible") from exc
    return el


def _envelope(
    token: str, operation: str, params: Sequence[tuple[str, str | date]], now: datetime | None
) -> bytes:
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soapenv": SOAP_NS, "ws": WS_NS})
    header = etree.SubElement(env, f"{{{SOAP_NS}}}Header")
    _sub(header, TOKEN_HEADER, token)
    body = etree.SubElement(env, f"{{{SOAP_NS}}}Body")
    request = etree.SubElement(body, f"{{{WS_NS}}}{operation}")
    index = _sub(request, "index")
    _sub(index, "id", str(uuid.uuid4()))
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _sub(index, "createDateTime", stamp)
    _sub(index, "mode", "PROD")
    selection = _sub(request, "selectionParams")
    for name, value in params:
        if isinstance(value, date):
            _sub(_sub(selection, name), "exactDate", value.isoformat())
        else:
            _sub(selection, name, value)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def build_org_region_request(
    token: str, region: str, query: Query, day: date, now: datetime | None = None
) -> bytes:
    params: list[tuple[str, str | date]] = [
        ("orgRegion", region_code(region)),
        ("subsystemType", query.subsystem),
        (query.type_element, query.doc_type),
        ("periodInfo", day),
    ]
    return _envelope(token, "getDocsByOrgRegionRequest", params, now)


def build_reestr_number_request(
    token: str, number: str, subsystem: str, now: datetime | None = None
) -> bytes:
    params: list[tuple[str, str | date]] = [("subsystemType", subsystem), ("reestrNumber", number)]
    return _envelope(token, "getDocsByReestrNumberRequest", params, now)


@dataclass(slots=True)
class SoapAnswer:
    urls: list[str] = field(default_factory=list)
    no_data: bool = False
    error_code: str | None = None
    error_message: str | None = None


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
)


def _is_ours(el: El, local: str) -> bool:
    """Elements of the answer: unqualified, or (defensively) in the service namespace."""
    if not isinstance(el.tag, str):
        return False
    qname = etree.QName(el)
    return qname.localname == local and qname.namespace in (None, WS_NS)


def mentions_token(text: str) -> bool:
    """An error text that is about the token (the exact wording is unknown)."""
    low = text.lower()
    return "token" in low or "токен" in low


def clip(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters, for an error message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fault(root: El) -> EisError | None:
    for ns in (SOAP_NS, SOAP12_NS):
        fault = root.find(f"{{{ns}}}Body/{{{ns}}}Fault")
        if fault is None:
            continue
        if ns == SOAP_NS:
            code = fault.findtext("faultcode") or None
            message = fault.findtext("faultstring") or ""
        else:
            code = fault.findtext(f"{{{ns}}}Code/{{{ns}}}Value") or None
            message = fault.findtext(f"{{{ns}}}Reason/{{{ns}}}Text") or ""
        message = clip(message or "".join(fault.itertext()) or "no faultstring")
        if mentions_token(message):
            return EisError(
                f"EIS rejected the token (check EIS_TOKEN): SOAP fault: {message}", code=code
            )
        return EisError(f"EIS SOAP fault: {message}", code=code)
    return None


def _parse_xml(body: bytes) -> El | None:
    try:
        return etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError:
        return None


def fault_in(body: bytes) -> EisError | None:
    """The SOAP fault in a non-200 answer, if it is one (SOAP 1.1 sends faults with 500)."""
    root = _parse_xml(body)
    return _fault(root) if root is not None else None


def parse_answer(body: bytes) -> SoapAnswer:
    """Read a getDocsBy…Response; raise `EisError` on a fault or an unexpected answer."""
    root = _parse_xml(body)
    if root is None:
        raise EisError(f"EIS answered with something that is not XML: {clip(repr(body[:80]))}")
    fault = _fault(root)
    if fault is not None:
        raise fault
    soap_body = root.find(f"{{{SOAP_NS}}}Body")
    if soap_body is None:
        soap_body = root.find(f"{{{SOAP12_NS}}}Body")
    if soap_body is None or len(soap_body) == 0:
        raise EisError("EIS answer has no SOAP body")
    response = soap_body[0]
    answer = SoapAnswer()
    for el in response.iter():
        if _is_ours(el, "archiveUrl"):
            url = (el.text or "").strip()
            if url and url not in answer.urls:
                answer.urls.append(url)
        elif _is_ours(el, "noData"):
            answer.no_data = True
        elif _is_ours(el, "errorInfo"):
            answer.error_code = (el.findtext("code") or "").strip() or None
            answer.error_message = clip(el.findtext("message") or "") or "no message"
    if not answer.urls and not answer.no_data and answer.error_code is None:
        if not etree.QName(response).localname.endswith("Response"):
            raise EisError(f"unexpected EIS answer <{etree.QName(response).localname}>")
        answer.no_data = True  # an empty dataInfo: nothing published
    return answer
