"""The EIS information-service client against a fake SOAP server."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.sources.base import Source
from bot.sources.eis_client.client import EisClient
from bot.sources.eis_client.errors import EisError
from bot.sources.eis_client.queries import DEFAULT_QUERIES, Query, subsystem_for
from bot.sources.eis_client.soap import (
    build_org_region_request,
    build_reestr_number_request,
    parse_answer,
)
from bot.sources.files import parse_path
from bot.sources.records import ContractRecord, ExecutionRecord, ProcedureRecord, ProtocolRecord
from tests.fakeeis import FakeEIS

# Characters that must be escaped in XML: the fake compares the parsed token with this.
TOKEN = "tok&en<1>'\""
DAY = date(2025, 10, 10)


@pytest.fixture
async def fake(samples: Path) -> AsyncIterator[FakeEIS]:
    server = FakeEIS(samples / "eis", token=TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(fake: FakeEIS, tmp_path: Path) -> AsyncIterator[EisClient]:
    async with EisClient(
        TOKEN, fake.url, download_dir=tmp_path / "downloads", timeout=30, backoff=0
    ) as c:
        yield c


def listing(path: Path) -> list[str]:
    return sorted(os.listdir(path))


def parse_all(paths: list[Path]) -> tuple[list[Any], list[Any]]:
    documents: list[Any] = []
    errors: list[Any] = []
    for path in paths:
        for parsed in parse_path(path):
            documents.extend(parsed.documents)
            errors.extend(parsed.errors)
    return documents, errors


# ---------------------------------------------------------------- fetch_day / fetch_number


async def test_fetch_day_downloads_archives_that_parse(
    fake: FakeEIS, client: EisClient, tmp_path: Path
) -> None:
    source: Source = client  # mypy checks the protocol, isinstance the runtime shape
    assert isinstance(source, Source)
    paths = await client.fetch_day("74", DAY)

    assert paths, "the fake serves samples for several document types"
    assert all(p.suffix == ".zip" and p.parent == tmp_path / "downloads" for p in paths)
    assert not list((tmp_path / "downloads").glob("*.part"))
    documents, errors = parse_all(paths)
    assert errors == []
    kinds = {type(d) for d in documents}
    assert kinds == {ProcedureRecord, ProtocolRecord, ContractRecord, ExecutionRecord}
    assert {d.law for d in documents} == {"44", "223"}
    numbers = {d.number for d in documents if isinstance(d, ProcedureRecord)}
    assert "0873200009825003091" in numbers and "31603913641" in numbers

    # one request per configured subsystem/document type, with the token and the day
    assert len(fake.calls) == len(DEFAULT_QUERIES)
    assert all(c.token == TOKEN for c in fake.calls)
    assert all(c.operation == "getDocsByOrgRegionRequest" for c in fake.calls)
    assert {c.params["orgRegion"] for c in fake.calls} == {"74"}
    assert {c.params["periodInfo"] for c in fake.calls} == {"2025-10-10"}
    subsystems = {c.params["subsystemType"] for c in fake.calls}
    assert subsystems == {"PRIZ", "RGK", "RI223", "RD223"}
    for call in fake.calls:
        law44 = call.params["subsystemType"] in ("PRIZ", "RGK")
        assert ("documentType44" in call.params) is law44
        assert ("documentType223" in call.params) is not law44
    # several archives for one answer are all downloaded (archive_size=2 in the fake)
    assert len(fake.downloads) == len(paths)


async def test_fetch_day_pads_the_region_and_is_repeatable(
    fake: FakeEIS, client: EisClient
) -> None:
    first = await client.fetch_day("7", DAY)
    assert {c.params["orgRegion"] for c in fake.calls} == {"07"}
    second = await client.fetch_day("7", DAY)
    assert len(first) == len(second)


async def test_fetch_number_returns_one_purchase(fake: FakeEIS, client: EisClient) -> None:
    paths = await client.fetch_number("0873200009825003091")

    assert len(paths) == 1
    documents, errors = parse_all(paths)
    assert errors == []
    assert [(type(d), d.number) for d in documents] == [(ProcedureRecord, "0873200009825003091")]
    assert fake.calls[-1].operation == "getDocsByReestrNumberRequest"
    assert fake.calls[-1].params == {"subsystemType": "PRIZ", "reestrNumber": "0873200009825003091"}


async def test_fetch_number_of_a_contract_and_of_nothing(fake: FakeEIS, client: EisClient) -> None:
    paths = await client.fetch_number("1770989550925003831")
    assert fake.calls[-1].params["subsystemType"] == "RGK"
    documents, errors = parse_all(paths)
    assert errors == []
    assert [type(d) for d in documents] == [ContractRecord]

    assert await client.fetch_number("0873200009899999999") == []  # noData


async def test_fetch_number_refuses_garbage_before_sending(
    fake: FakeEIS, client: EisClient
) -> None:
    with pytest.raises(EisError, match="not an EIS registry number"):
        await client.fetch_number("<x/>")
    assert fake.calls == []


# ---------------------------------------------------------------- errors and retries


async def test_wrong_token_is_a_clear_error(fake: FakeEIS, tmp_path: Path) -> None:
    async with EisClient("wrong", fake.url, download_dir=tmp_path, backoff=0) as c:
        with pytest.raises(EisError, match=r"rejected the token.*EIS_TOKEN") as info:
            await c.fetch_day("74", DAY)
    assert "wrong" not in str(info.value)
    assert fake.soap_posts == 1  # not retried


async def test_wrong_token_on_download_is_a_clear_error(client: EisClient) -> None:
    answer = await client._call(
        build_org_region_request(TOKEN, "74", Query("PRIZ", "epNotificationEF2020", "44"), DAY),
        "test",
    )
    client.token = "other"
    with pytest.raises(EisError, match="rejected the token for an archive download"):
        await client._download(answer.urls[0], "x")


async def test_server_error_is_retried(fake: FakeEIS, client: EisClient) -> None:
    fake.fail_soap = 1
    fake.fail_download = 1
    paths = await client.fetch_number("0873200009825003091")
    assert len(paths) == 1
    assert fake.soap_posts == 2
    assert len(fake.downloads) == 2


async def test_retries_run_out(fake: FakeEIS, tmp_path: Path) -> None:
    fake.fail_soap = 10
    async with EisClient(TOKEN, fake.url, download_dir=tmp_path, retries=2, backoff=0) as c:
        with pytest.raises(EisError, match="failed after 3 attempts: HTTP 500"):
            await c.fetch_number("0873200009825003091")
    assert fake.soap_posts == 3


async def test_network_error_is_retried_then_reported(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/eis-integration/services/getDocsIP"
    async with EisClient(TOKEN, url, download_dir=tmp_path, retries=1, backoff=0) as c:
        with pytest.raises(EisError, match="failed after 2 attempts: network error"):
            await c.fetch_number("0873200009825003091")


async def test_soap_fault_is_an_eis_error(fake: FakeEIS, client: EisClient) -> None:
    fake.fault = "Сервис временно недоступен"
    with pytest.raises(EisError, match="SOAP fault: Сервис временно недоступен"):
        await client.fetch_number("0873200009825003091")
    assert fake.soap_posts == 1


async def test_error_info_for_one_type_is_skipped(fake: FakeEIS, client: EisClient) -> None:
    fake.error_types = {"epNotificationOK2020"}
    paths = await client.fetch_day("74", DAY)
    assert paths
    assert len(client.skipped) == 1 and "epNotificationOK2020" in client.skipped[0]


async def test_error_info_for_every_type_raises(fake: FakeEIS, tmp_path: Path) -> None:
    fake.error_types = {"epNotificationEF2020"}
    queries = [Query("PRIZ", "epNotificationEF2020", "44")]
    async with EisClient(TOKEN, fake.url, download_dir=tmp_path, queries=queries) as c:
        with pytest.raises(EisError, match="every EIS request failed"):
            await c.fetch_day("74", DAY)


async def test_oversized_archive_is_refused(fake: FakeEIS, tmp_path: Path) -> None:
    fake.oversize = True
    async with EisClient(TOKEN, fake.url, download_dir=tmp_path, backoff=0) as c:
        with pytest.raises(EisError, match="refused"):
            await c.fetch_number("0873200009825003091")
    assert listing(tmp_path) == []


async def test_streamed_archive_over_the_limit_is_refused(fake: FakeEIS, tmp_path: Path) -> None:
    fake.chunked = True
    async with EisClient(
        TOKEN, fake.url, download_dir=tmp_path, backoff=0, max_archive_bytes=1000
    ) as c:
        with pytest.raises(EisError, match="exceeds 1000 bytes"):
            await c.fetch_number("0873200009825003091")
    assert listing(tmp_path) == []


async def test_redirects_stay_on_trusted_hosts(fake: FakeEIS, client: EisClient) -> None:
    fake.redirect_to = fake.base  # same host: followed, with the token
    assert len(await client.fetch_number("0873200009825003091")) == 1
    assert len(fake.downloads) == 2

    fake.redirect_to = "http://evil.example"
    with pytest.raises(EisError, match=r"untrusted host evil\.example"):
        await client.fetch_number("0873200009825003091")


async def test_token_is_not_sent_to_other_hosts(client: EisClient) -> None:
    with pytest.raises(EisError, match=r"untrusted host evil\.example"):
        await client._download("http://evil.example/a.zip", "x")


def test_https_service_refuses_plain_http_archives(tmp_path: Path) -> None:
    c = EisClient(TOKEN, download_dir=tmp_path)
    with pytest.raises(EisError, match="plain HTTP"):
        c._check_download_url("http://int44.zakupki.gov.ru/archive/1")
    assert c._check_download_url("https://int.zakupki.gov.ru/a?x=1").host == "int.zakupki.gov.ru"


def test_empty_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EisError, match="EIS_TOKEN"):
        EisClient("  ", download_dir=tmp_path)


# ---------------------------------------------------------------- envelopes and answers


def test_envelope_escapes_values_and_keeps_children_unqualified() -> None:
    body = build_org_region_request(
        TOKEN, "74", Query("RI223", "purchaseNotice", "223"), DAY
    ).decode()
    assert "<individualPerson_token>tok&amp;en&lt;1&gt;'\"</individualPerson_token>" in body
    assert "<ws:getDocsByOrgRegionRequest>" in body
    order = ["<orgRegion>74<", "<subsystemType>RI223<", "<documentType223>purchaseNotice<"]
    positions = [body.index(s) for s in order] + [body.index("<exactDate>2025-10-10<")]
    assert positions == sorted(positions)
    number = build_reestr_number_request(TOKEN, "0873200009825003091", "PRIZ").decode()
    assert number.index("<subsystemType>PRIZ<") < number.index("<reestrNumber>0873")


def test_answer_parsing() -> None:
    ok = (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<ns2:getDocsByOrgRegionResponse xmlns:ns2="http://zakupki.gov.ru/fz44/get-docs-ip/ws">'
        b"<dataInfo><archiveUrl><![CDATA[https://int44.zakupki.gov.ru/a?b=1&c=2]]></archiveUrl>"
        b"<archiveUrl>https://int44.zakupki.gov.ru/z</archiveUrl></dataInfo>"
        b"</ns2:getDocsByOrgRegionResponse></soap:Body></soap:Envelope>"
    )
    assert parse_answer(ok).urls == [
        "https://int44.zakupki.gov.ru/a?b=1&c=2",
        "https://int44.zakupki.gov.ru/z",
    ]
    error = (
        ok.replace(
            b"<dataInfo>",
            b"<dataInfo><errorInfo><code>28</code><message>bad</message></errorInfo>",
        )
        .replace(b"<archiveUrl>", b"<x>")
        .replace(b"</archiveUrl>", b"</x>")
    )
    parsed = parse_answer(error)
    assert (parsed.urls, parsed.error_code, parsed.error_message) == ([], "28", "bad")
    with pytest.raises(EisError, match="not XML"):
        parse_answer(b"<html><body>502 Bad Gateway")


def test_subsystem_for_numbers() -> None:
    assert subsystem_for("0873200009825003091") == "PRIZ"
    assert subsystem_for("1770989550925003831") == "RGK"
    assert subsystem_for("31603913641") == "RI223"
    assert subsystem_for("50105018196180000870001") == "RD223"


# ---------------------------------------------------------------- TLS


def test_ca_bundle_builds_a_verifying_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []
    real = ssl.create_default_context

    def spy(*args: Any, cafile: str | None = None, **kwargs: Any) -> ssl.SSLContext:
        seen.append(cafile)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", spy)
    bundle = tmp_path / "russian_trusted_ca.pem"
    c = EisClient(TOKEN, ca_bundle=bundle, download_dir=tmp_path)
    assert seen == [str(bundle)]
    assert c.ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert c.ssl_context.check_hostname is True

    seen.clear()
    EisClient(TOKEN, download_dir=tmp_path)
    assert seen == [None]  # system store, still verifying


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is absent")
def test_ca_bundle_file_is_loaded(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=Test Russian Trusted Root CA", "-keyout", str(tmp_path / "ca.key"),
         "-out", str(bundle)],
        check=True, capture_output=True,
    )  # fmt: skip
    c = EisClient(TOKEN, ca_bundle=bundle, download_dir=tmp_path)
    assert c.ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert c.ssl_context.check_hostname is True
    certs: list[Any] = c.ssl_context.get_ca_certs()
    names = {value for ca in certs for rdn in ca["subject"] for key, value in rdn}
    assert "Test Russian Trusted Root CA" in names


def test_missing_ca_bundle_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        EisClient(TOKEN, ca_bundle=tmp_path / "absent.pem", download_dir=tmp_path)
