"""Client of the EIS information service ("сервис отдачи информации", getDocsIP).

Since 2025 the EIS open data comes from a SOAP service that needs a personal token instead
of the closed FTP (see ../shared/samples/FORMATS.md §1). `EisClient` asks the service for the
documents of one region and day (`getDocsByOrgRegionRequest`) or of one registry number
(`getDocsByReestrNumberRequest`), downloads every archive the answer links to and returns
the local files, ready for `bot.sources.files.parse_path`.

Settings the operator uses (read by the config class, passed here as constructor args):

* ``EIS_TOKEN`` - the personal token (``individualPerson_token``) issued in the EIS personal
  account of an individual. Required. Never logged, never put in an error message.
* ``EIS_REGIONS`` - comma-separated two-digit subject codes to fetch, default ``74``
  (Челябинская область). The caller loops over them and calls `fetch_day` per region.
* ``EIS_CA_BUNDLE`` - path to a PEM file with the Russian national CA chain (Минцифры root,
  Федеральное казначейство intermediate) that issued the service's certificate; it is not in
  the usual system stores. TLS verification is always on; there is no switch to turn it off.
* ``EIS_URL`` - the service endpoint, default `DEFAULT_URL`.

What the request/response shapes are based on. Confirmed (several public clients that talk
to the live service agree: artemmail/gos ``downloader.py``/``eis_fetch_all.py`` and others):

* SOAP 1.1 POST, ``Content-Type: text/xml; charset=utf-8``, envelope namespace
  ``http://schemas.xmlsoap.org/soap/envelope/``; the operation element is in
  ``http://zakupki.gov.ru/fz44/get-docs-ip/ws`` and every element under it is
  **unqualified** (the schema uses elementFormDefault="unqualified"; a prefixed child gives
  error 28, "schema validation").
* The token goes in the SOAP header as an unqualified ``<individualPerson_token>`` element,
  and as the HTTP header ``individualPerson_token`` when downloading an archive.
* Request body: ``index`` (``id`` = a UUID, ``createDateTime``, ``mode`` = PROD), then
  ``selectionParams``. By region: ``orgRegion`` (two digits), ``subsystemType``,
  ``documentType44`` (44-ФЗ subsystems) or ``documentType223`` (223-ФЗ subsystems),
  ``periodInfo/exactDate`` (YYYY-MM-DD), in this order. By number: ``subsystemType``,
  ``reestrNumber``.
* Response: ``getDocsBy…Response`` / ``dataInfo`` holding zero or more ``archiveUrl``
  (often wrapped in CDATA), or ``noData``, or ``errorInfo`` (``code``, ``message``); or a
  SOAP ``Fault`` (``faultstring``). Archives are zip files of the usual ``export`` XML.
* Subsystems: PRIZ (44-ФЗ notices and protocols, protocols without participants' details),
  RGK (44-ФЗ contract register), RI223 (223-ФЗ notices and protocols), RD223 (223-ФЗ
  contract register). Document types ``epNotificationEF2020``/``EOK2020``/``EZK2020``/
  ``OK2020``, ``epProtocolEF2020SubmitOffers``, ``epProtocolEF2020Final``, RGK ``contract``,
  RI223 ``purchaseNotice`` and ``purchaseProtocol`` are used by public clients.

Assumptions (not confirmed by a source we could read; all configurable through `queries`,
`trusted_hosts` and the constructor):

* the other document-type names in `DEFAULT_QUERIES` (``epProtocolEOK2020Final``,
  ``epProtocolEZK2020Final``, RGK ``contractProcedure``, the ``purchaseNotice*`` variants,
  RD223 ``contract``/``performanceContract``) follow the EIS export root names; a wrong name
  comes back as ``errorInfo`` or ``noData``, which is logged and skipped, not fatal;
* which subsystem a registry number belongs to is guessed from its shape (`subsystem_for`);
* a bad token is reported as a SOAP fault or ``errorInfo`` mentioning the token, or as
  HTTP 401/403 (the exact wording is unknown; all three give an `EisError` about the token);
* archive links point at ``*.zakupki.gov.ru``; the token is sent to no other host.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import ssl
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiohttp
from lxml import etree  # type: ignore[import-untyped, unused-ignore]
from yarl import URL

log = logging.getLogger(__name__)

DEFAULT_URL = "https://int44.zakupki.gov.ru/eis-integration/services/getDocsIP"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
WS_NS = "http://zakupki.gov.ru/fz44/get-docs-ip/ws"
TOKEN_HEADER = "individualPerson_token"

El = Any  # lxml element (lxml ships no type information)

MAX_ARCHIVE_BYTES = 500 * 1024 * 1024  # one archive; larger ones are refused
MAX_SOAP_BYTES = 16 * 1024 * 1024  # a SOAP answer only carries links
CHUNK = 1024 * 1024
TRUSTED_DOMAIN = "zakupki.gov.ru"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


class EisError(Exception):
    """The service refused or failed; the message says why (never contains the token)."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True, slots=True)
class Query:
    """One `getDocsByOrgRegionRequest` per region and day: a subsystem and a document type."""

    subsystem: str
    doc_type: str
    law: str  # "44" -> <documentType44>, "223" -> <documentType223>

    @property
    def type_element(self) -> str:
        return "documentType223" if self.law == "223" else "documentType44"


NOTICES_44 = (
    "epNotificationEF2020",  # электронный аукцион
    "epNotificationEOK2020",  # электронный открытый конкурс
    "epNotificationEZK2020",  # электронный запрос котировок
    "epNotificationOK2020",  # открытый конкурс (бумажный)
)
PROTOCOLS_44 = (
    "epProtocolEF2020SubmitOffers",  # подача ценовых предложений: приём заявок закрыт
    "epProtocolEF2020Final",
    "epProtocolEOK2020Final",  # assumption (see module docstring)
    "epProtocolEZK2020Final",  # assumption
)
CONTRACTS_44 = ("contract", "contractProcedure")  # RGK; contractProcedure is an assumption
NOTICES_223 = (
    "purchaseNotice",
    "purchaseNoticeAE",
    "purchaseNoticeOA",
    "purchaseNoticeOK",
    "purchaseNoticeZK",
    "purchaseNoticeEP",
    "purchaseNoticeAESMBO",
    "purchaseNoticeKESMBO",
    "purchaseNoticeZKESMBO",
    "purchaseNoticeZPESMBO",
)  # only purchaseNotice is confirmed; the variants are the FTP-era root names
PROTOCOLS_223 = ("purchaseProtocol",)
CONTRACTS_223 = ("contract", "performanceContract")  # RD223; assumption

DEFAULT_QUERIES: tuple[Query, ...] = (
    *(Query("PRIZ", t, "44") for t in NOTICES_44 + PROTOCOLS_44),
    *(Query("RGK", t, "44") for t in CONTRACTS_44),
    *(Query("RI223", t, "223") for t in NOTICES_223 + PROTOCOLS_223),
    *(Query("RD223", t, "223") for t in CONTRACTS_223),
)

_NUMBER_RE = re.compile(r"^\d{11}(-\d{1,3})?$|^\d{19}$|^\d{23}$")


def subsystem_for(number: str) -> str:
    """Guess the subsystem of a registry number from its shape (FORMATS.md §5).

    19 digits starting with 0: 44-ФЗ purchase (PRIZ); 19 digits starting with 1-3: 44-ФЗ
    contract register (RGK); 11 digits (or a protocol's ``-NN``): 223-ФЗ notice (RI223);
    23 digits: 223-ФЗ contract (RD223). An assumption, hence the override in `fetch_number`.
    """
    if not _NUMBER_RE.match(number):
        raise EisError(f"not an EIS registry number: {number[:40]!r}")
    if len(number) == 19:
        return "PRIZ" if number.startswith("0") else "RGK"
    if len(number) == 23:
        return "RD223"
    return "RI223"


def region_code(region: str) -> str:
    """'74' -> '74', '7' -> '07'; anything but one to three digits is refused."""
    value = region.strip()
    if not value.isdigit() or not 1 <= len(value) <= 3:
        raise EisError(f"not a region code: {region[:20]!r}")
    return value.zfill(2)


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


# ---------------------------------------------------------------- responses


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


def _mentions_token(text: str) -> bool:
    low = text.lower()
    return "token" in low or "токен" in low


def _clip(text: str, limit: int = 300) -> str:
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
        message = _clip(message or "".join(fault.itertext()) or "no faultstring")
        if _mentions_token(message):
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


def parse_answer(body: bytes) -> SoapAnswer:
    """Read a getDocsBy…Response; raise `EisError` on a fault or an unexpected answer."""
    root = _parse_xml(body)
    if root is None:
        raise EisError(f"EIS answered with something that is not XML: {_clip(repr(body[:80]))}")
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
            answer.error_message = _clip(el.findtext("message") or "") or "no message"
    if not answer.urls and not answer.no_data and answer.error_code is None:
        if not etree.QName(response).localname.endswith("Response"):
            raise EisError(f"unexpected EIS answer <{etree.QName(response).localname}>")
        answer.no_data = True  # an empty dataInfo: nothing published
    return answer


# ---------------------------------------------------------------- client


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:120] or "x"


class EisClient:
    """The live `Source`: SOAP requests with aiohttp, archives saved under `download_dir`.

    Use as ``async with EisClient(...) as client:`` (or call `close`). Requests run one at a
    time. 5xx answers, 429 and network errors are retried `retries` times with exponential
    backoff (`backoff`, 2*`backoff`, ...); faults, 4xx and a rejected token raise `EisError`.
    Archive redirects are followed only to `trusted_hosts` (the token travels with them).
    Downloaded files stay in `download_dir`; deleting them after import is the caller's job.
    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_URL,
        ca_bundle: Path | None = None,
        *,
        download_dir: Path,
        timeout: float = 60,
        retries: int = 3,
        backoff: float = 1.0,
        max_archive_bytes: int = MAX_ARCHIVE_BYTES,
        queries: Sequence[Query] = DEFAULT_QUERIES,
        trusted_hosts: Collection[str] | None = None,
        proxy: str | None = None,
    ) -> None:
        if not token.strip():
            raise EisError("EIS token is empty: set EIS_TOKEN")
        self.token = token.strip()
        self.base_url = URL(base_url)
        if self.base_url.scheme not in ("http", "https") or not self.base_url.host:
            raise EisError(f"EIS_URL is not an http(s) URL: {base_url[:100]!r}")
        self.download_dir = download_dir
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_archive_bytes = max_archive_bytes
        self.queries = tuple(queries)
        self.trusted_hosts = frozenset(
            h.lower() for h in (trusted_hosts or (self.base_url.host, TRUSTED_DOMAIN))
        )
        self.proxy = proxy
        # Verification is never disabled: the national CA bundle is added, not a bypass.
        self.ssl_context = (
            ssl.create_default_context(cafile=str(ca_bundle))
            if ca_bundle is not None
            else ssl.create_default_context()
        )
        self.skipped: list[str] = []  # per-query errorInfo answers of the last fetch_day
        self._session: aiohttp.ClientSession | None = None

    # ---------------------------------------------------------------- lifecycle
    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self.ssl_context, limit=4),
                headers={"User-Agent": "smebot-eis-client/1"},
                trust_env=False,
            )
        return self._session

    # ---------------------------------------------------------------- Source
    async def fetch_day(self, region: str, day: date) -> list[Path]:
        """Every configured subsystem/document type of `region` published on `day`.

        An ``errorInfo`` for one query (e.g. a document type the service does not know) is
        logged, kept in `skipped` and skipped; if every query fails so, `EisError` is raised.
        """
        code = region_code(region)
        self.skipped = []
        paths: list[Path] = []
        for query in self.queries:
            what = f"{query.subsystem}/{query.doc_type} region {code} {day.isoformat()}"
            envelope = build_org_region_request(self.token, code, query, day)
            answer = await self._call(envelope, what)
            if answer.error_code is not None:
                self.skipped.append(f"{what}: error {answer.error_code}: {answer.error_message}")
                log.warning("EIS %s: error %s: %s", what, answer.error_code, answer.error_message)
                continue
            prefix = f"{code}_{day.isoformat()}_{query.subsystem}_{query.doc_type}"
            for url in answer.urls:
                paths.append(await self._download(url, prefix))
        if self.queries and len(self.skipped) == len(self.queries):
            raise EisError(f"every EIS request failed, e.g. {self.skipped[0]}")
        return paths

    async def fetch_number(self, number: str, subsystem: str | None = None) -> list[Path]:
        """All documents of one registry number; the subsystem is guessed unless given."""
        number = number.strip()
        system = subsystem or subsystem_for(number)
        what = f"{system} number {number}"
        answer = await self._call(build_reestr_number_request(self.token, number, system), what)
        if answer.error_code is not None:
            raise EisError(
                f"EIS {what}: error {answer.error_code}: {answer.error_message}",
                code=answer.error_code,
            )
        return [await self._download(url, f"{_safe(number)}_{system}") for url in answer.urls]

    # ---------------------------------------------------------------- HTTP
    async def _pause(self, attempt: int) -> None:
        if self.backoff > 0:
            await asyncio.sleep(self.backoff * 2**attempt)

    @staticmethod
    def _tls_error(exc: BaseException) -> EisError:
        return EisError(
            "TLS verification of the EIS server failed; set EIS_CA_BUNDLE to the Russian "
            f"national CA chain (PEM): {exc}"
        )

    async def _call(self, envelope: bytes, what: str) -> SoapAnswer:
        answer = parse_answer(await self._post(envelope, what))
        if answer.error_code is not None and _mentions_token(answer.error_message or ""):
            raise EisError(
                f"EIS rejected the token (check EIS_TOKEN): error {answer.error_code}: "
                f"{answer.error_message}",
                code=answer.error_code,
            )
        log.debug("EIS %s: %d archive(s)", what, len(answer.urls))
        return answer

    async def _post(self, envelope: bytes, what: str) -> bytes:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        last = ""
        for attempt in range(self.retries + 1):
            try:
                async with self._client().post(
                    self.base_url,
                    data=envelope,
                    headers=headers,
                    timeout=timeout,
                    proxy=self.proxy,
                    allow_redirects=False,
                ) as resp:
                    status = resp.status
                    body = await self._read_small(resp)
            except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
                raise self._tls_error(exc) from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                last = f"network error {type(exc).__name__}: {_clip(str(exc), 200)}"
            else:
                if status == 200:
                    return body
                # SOAP 1.1 sends faults with HTTP 500: a fault is final, not retried.
                root = _parse_xml(body)
                fault = _fault(root) if root is not None else None
                if fault is not None:
                    fault.status = status
                    raise fault
                if status in (401, 403):
                    raise EisError(
                        f"EIS rejected the token (check EIS_TOKEN): HTTP {status}", status=status
                    )
                if status != 429 and status < 500:
                    raise EisError(f"EIS answered HTTP {status} to {what}", status=status)
                last = f"HTTP {status}"
            log.warning("EIS %s: %s (attempt %d of %d)", what, last, attempt + 1, self.retries + 1)
            if attempt < self.retries:
                await self._pause(attempt)
        raise EisError(f"EIS {what} failed after {self.retries + 1} attempts: {last}")

    @staticmethod
    async def _read_small(resp: aiohttp.ClientResponse) -> bytes:
        data = bytearray()
        async for chunk in resp.content.iter_chunked(64 * 1024):
            data += chunk
            if len(data) > MAX_SOAP_BYTES:
                raise EisError(f"EIS SOAP answer exceeds {MAX_SOAP_BYTES} bytes")
        return bytes(data)

    def _check_download_url(self, url: str) -> URL:
        target = URL(url)
        host = (target.host or "").lower()
        if target.scheme not in ("http", "https") or not host:
            raise EisError(f"EIS gave an archive link that is not http(s): {url[:100]!r}")
        if self.base_url.scheme == "https" and target.scheme != "https":
            raise EisError(f"refusing to download over plain HTTP from {host}")
        trusted = any(host == h or host.endswith("." + h) for h in self.trusted_hosts)
        if not trusted:
            raise EisError(f"refusing to send the EIS token to untrusted host {host}")
        return target

    async def _download(self, url: str, prefix: str) -> Path:
        target = self._check_download_url(url)
        digest = hashlib.sha256(url.encode()).hexdigest()[:12]
        stem = f"{_safe(prefix)}_{digest}"
        self.download_dir.mkdir(parents=True, exist_ok=True)
        part = self.download_dir / f"{stem}.part"
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self.timeout, sock_read=self.timeout
        )
        last = ""
        redirects = 0
        attempt = 0
        while attempt <= self.retries:
            status: int | None = None
            location: str | None = None
            try:
                # Redirects are followed by hand: the token header must not leave trusted hosts.
                async with self._client().get(
                    target,
                    headers={TOKEN_HEADER: self.token},
                    timeout=timeout,
                    proxy=self.proxy,
                    allow_redirects=False,
                ) as resp:
                    status = resp.status
                    if status == 200:
                        head = await self._save(resp, part)
                        return self._keep(part, head, stem, target.host or "")
                    if status in REDIRECTS:
                        location = resp.headers.get("Location")
            except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
                raise self._tls_error(exc) from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                status = None
                last = f"network error {type(exc).__name__}: {_clip(str(exc), 200)}"
            finally:
                with contextlib.suppress(OSError):
                    part.unlink(missing_ok=True)
            if status in REDIRECTS:
                redirects += 1
                if not location or redirects > MAX_REDIRECTS:
                    raise EisError(f"archive download from {target.host}: bad redirect")
                target = self._check_download_url(str(target.join(URL(location))))
                continue
            if status is not None:
                if status in (401, 403):
                    raise EisError(
                        "EIS rejected the token for an archive download (check EIS_TOKEN): "
                        f"HTTP {status}",
                        status=status,
                    )
                if status != 429 and status < 500:
                    raise EisError(
                        f"archive download from {target.host} answered HTTP {status}",
                        status=status,
                    )
                last = f"HTTP {status}"
            log.warning(
                "EIS archive from %s: %s (attempt %d of %d)",
                target.host,
                last,
                attempt + 1,
                self.retries + 1,
            )
            if attempt < self.retries:
                await self._pause(attempt)
            attempt += 1
        raise EisError(
            f"archive download from {target.host} failed after {self.retries + 1} attempts: {last}"
        )

    def _keep(self, part: Path, head: bytes, stem: str, host: str) -> Path:
        """Name the downloaded file by its content: parse_path needs .zip or .xml."""
        if head.startswith(b"PK"):
            suffix = ".zip"
        elif head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            suffix = ".xml"
        else:
            raise EisError(f"archive from {host} is neither zip nor XML")
        final = self.download_dir / f"{stem}{suffix}"
        part.replace(final)
        return final

    async def _save(self, resp: aiohttp.ClientResponse, part: Path) -> bytes:
        """Stream the body to `part`; refuse more than `max_archive_bytes`; return its head."""
        limit = self.max_archive_bytes
        declared = resp.content_length
        if declared is not None and declared > limit:
            raise EisError(f"archive of {declared} bytes refused (limit {limit})")
        fh = await asyncio.to_thread(part.open, "wb")
        total = 0
        head = b""
        try:
            async for chunk in resp.content.iter_chunked(CHUNK):
                total += len(chunk)
                if total > limit:
                    raise EisError(f"archive exceeds {limit} bytes, refused")
                if len(head) < 8:
                    head = (head + chunk)[:64]
                await asyncio.to_thread(fh.write, chunk)
        finally:
            await asyncio.to_thread(fh.close)
        return head
