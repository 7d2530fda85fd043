"""`EisClient`: the live `Source` over the EIS information service (see the package
docstring for the settings and what the request shapes are based on)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Collection, Sequence
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Self

import aiohttp
from yarl import URL

from bot.sources.eis_client.archives import (
    MAX_ARCHIVE_BYTES,
    MAX_REDIRECTS,
    REDIRECTS,
    TRUSTED_DOMAIN,
    archive_stem,
    check_archive_url,
    keep_archive,
    safe_name,
    save_archive,
)
from bot.sources.eis_client.errors import EisError
from bot.sources.eis_client.queries import DEFAULT_QUERIES, Query, region_code, subsystem_for
from bot.sources.eis_client.soap import (
    TOKEN_HEADER,
    SoapAnswer,
    build_org_region_request,
    build_reestr_number_request,
    clip,
    fault_in,
    mentions_token,
    parse_answer,
)

log = logging.getLogger(__name__)

DEFAULT_URL = "https://int44.zakupki.gov.ru/eis-integration/services/getDocsIP"
MAX_SOAP_BYTES = 16 * 1024 * 1024  # a SOAP answer only carries links


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
        return [await self._download(url, f"{safe_name(number)}_{system}") for url in answer.urls]

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
        if answer.error_code is not None and mentions_token(answer.error_message or ""):
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
                last = f"network error {type(exc).__name__}: {clip(str(exc), 200)}"
            else:
                if status == 200:
                    return body
                # SOAP 1.1 sends faults with HTTP 500: a fault is final, not retried.
                fault = fault_in(body)
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
        return check_archive_url(url, self.base_url, self.trusted_hosts)

    async def _download(self, url: str, prefix: str) -> Path:
        target = self._check_download_url(url)
        stem = archive_stem(url, prefix)
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
                        head = await save_archive(resp, part, self.max_archive_bytes)
                        return keep_archive(part, head, stem, target.host or "")
                    if status in REDIRECTS:
                        location = resp.headers.get("Location")
            except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
                raise self._tls_error(exc) from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                status = None
                last = f"network error {type(exc).__name__}: {clip(str(exc), 200)}"
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
