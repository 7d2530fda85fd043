"""A fake EIS information service (getDocsIP) for tests, over real HTTP on 127.0.0.1.

It speaks the shapes public clients of the real service rely on: a SOAP 1.1 POST whose
header carries `<individualPerson_token>`, `getDocsByOrgRegionRequest` and
`getDocsByReestrNumberRequest` in namespace `http://zakupki.gov.ru/fz44/get-docs-ip/ws`
with unqualified children, and an answer `dataInfo` with `archiveUrl` links (in CDATA, as
the real service sends them), `noData` or `errorInfo`. The links point back at this server,
which builds zip archives on the fly from the sample files (read from the samples
directory at request time, never copied) and wants the token in the HTTP header.

Which sample answers which request is decided from the sample's file name,
`<44fz|223fz>_<docType>_<number>…xml`: the subsystem picks the law (PRIZ and RGK: 44fz;
RI223 and RD223: 223fz) and the document type must match. Any region and date match.

Switches: `fail_soap` / `fail_download` (answer that many requests with a plain HTTP 500),
`fault` (answer the next SOAP request with this SOAP fault), `error_types` (document types
answered with `errorInfo`), `oversize` (announce a huge Content-Length on downloads), `chunked` (send archives
without a Content-Length), `redirect_to` (redirect the next download).

This module is an independent oracle: it must not import the bot's own code.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from aiohttp import web
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
WS_NS = "http://zakupki.gov.ru/fz44/get-docs-ip/ws"
TOKEN = "individualPerson_token"
PATH = "/eis-integration/services/getDocsIP"
LAW_OF = {"PRIZ": "44fz", "RGK": "44fz", "RI223": "223fz", "RD223": "223fz"}
TYPE_ELEMENT = {"44fz": "documentType44", "223fz": "documentType223"}


@dataclass
class Call:
    operation: str
    params: dict[str, str]
    token: str | None


@dataclass
class FakeEIS:
    samples: Path  # the directory of EIS sample XML (…/shared/samples/eis)
    token: str = "test-token"
    archive_size: int = 2  # files per archive: bigger answers get several archiveUrls
    fail_soap: int = 0
    fail_download: int = 0
    fault: str | None = None
    error_types: set[str] = field(default_factory=set)
    oversize: bool = False
    chunked: bool = False
    redirect_to: str | None = None  # answer downloads with a 302 to this base URL, once
    calls: list[Call] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    soap_posts: int = 0
    base: str = ""  # http://127.0.0.1:<port>
    url: str = ""  # the SOAP endpoint
    _archives: dict[str, list[Path]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ server
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post(PATH, self._soap)
        app.router.add_get("/download/{archive}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        self.url = self.base + PATH
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ samples
    def sample_files(self) -> list[Path]:
        return sorted(p for p in self.samples.glob("*.xml") if p.is_file())

    @staticmethod
    def describe(path: Path) -> tuple[str, str]:
        """('44fz', 'epNotificationEF2020') from '44fz_epNotificationEF2020_0873….xml'."""
        law, doc_type, *_ = path.stem.split("_")
        return law, doc_type

    def matching(self, subsystem: str, doc_type: str) -> list[Path]:
        law = LAW_OF.get(subsystem)
        return [p for p in self.sample_files() if self.describe(p) == (law, doc_type)]

    # ------------------------------------------------------------------ SOAP
    @staticmethod
    def _envelope(inner: str) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>{inner}</soap:Body></soap:Envelope>'
        )

    def _fault(self, message: str) -> web.Response:
        inner = (
            "<soap:Fault><faultcode>soap:Client</faultcode>"
            f"<faultstring>{escape(message)}</faultstring></soap:Fault>"
        )
        return web.Response(status=500, text=self._envelope(inner), content_type="text/xml")

    def _answer(self, operation: str, data: str) -> web.Response:
        response = operation.replace("Request", "Response")
        inner = (
            f'<ns2:{response} xmlns:ns2="{WS_NS}">'
            "<index><id>00000000-0000-0000-0000-000000000000</id>"
            "<refId>00000000-0000-0000-0000-000000000001</refId>"
            "<createDateTime>2025-10-10T10:00:00</createDateTime><mode>PROD</mode></index>"
            f"<dataInfo>{data}</dataInfo></ns2:{response}>"
        )
        return web.Response(text=self._envelope(inner), content_type="text/xml")

    def _links(self, files: list[Path]) -> str:
        if not files:
            return "<noData>true</noData>"
        links = []
        for start in range(0, len(files), max(1, self.archive_size)):
            archive = f"a{next(self._ids)}"
            self._archives[archive] = files[start : start + self.archive_size]
            links.append(f"<archiveUrl><![CDATA[{self.base}/download/{archive}]]></archiveUrl>")
        return "".join(links)

    async def _soap(self, request: web.Request) -> web.Response:
        self.soap_posts += 1
        if self.fail_soap > 0:
            self.fail_soap -= 1
            return web.Response(status=500, text="<html>Internal Server Error</html>")
        try:
            root = etree.fromstring(await request.read())
        except etree.XMLSyntaxError:
            return self._fault("Ошибка разбора запроса")
        token = root.findtext(f"{{{SOAP_NS}}}Header/{TOKEN}")
        body = root.find(f"{{{SOAP_NS}}}Body")
        if body is None or len(body) == 0:
            return self._fault("Нет тела запроса")
        op_el = body[0]
        qname = etree.QName(op_el)
        selection = op_el.find("selectionParams")  # unqualified, as the real schema wants
        if qname.namespace != WS_NS or selection is None or op_el.find("index/id") is None:
            return self._answer(qname.localname, "<errorInfo><code>28</code>"
                                "<message>Ошибка валидации по интеграционной схеме</message>"
                                "</errorInfo>")  # fmt: skip
        params = {
            child.tag: (child.findtext("exactDate") or child.text or "") for child in selection
        }
        self.calls.append(Call(qname.localname, params, token))
        if self.fault is not None:
            message, self.fault = self.fault, None
            return self._fault(message)
        if token != self.token:
            return self._fault("Доступ запрещён: передан недействительный токен")
        if qname.localname == "getDocsByOrgRegionRequest":
            subsystem = params.get("subsystemType", "")
            law = LAW_OF.get(subsystem)
            wanted = TYPE_ELEMENT.get(law or "", "")
            doc_type = params.get(wanted)
            if law is None or doc_type is None or not params.get("orgRegion", "").isdigit():
                return self._answer(qname.localname, "<errorInfo><code>28</code><message>"
                                    "Ошибка валидации по интеграционной схеме</message>"
                                    "</errorInfo>")  # fmt: skip
            if doc_type in self.error_types:
                return self._answer(qname.localname, "<errorInfo><code>5</code><message>"
                                    "Неизвестный тип документа</message></errorInfo>")  # fmt: skip
            return self._answer(qname.localname, self._links(self.matching(subsystem, doc_type)))
        if qname.localname == "getDocsByReestrNumberRequest":
            number = params.get("reestrNumber", "")
            law = LAW_OF.get(params.get("subsystemType", ""))
            files = [
                p for p in self.sample_files()
                if number and number in p.stem and self.describe(p)[0] == law
            ]  # fmt: skip
            return self._answer(qname.localname, self._links(files))
        return self._fault(f"Неизвестная операция {qname.localname}")

    # ------------------------------------------------------------------ downloads
    async def _download(self, request: web.Request) -> web.StreamResponse:
        self.downloads.append(request.match_info["archive"])
        if self.fail_download > 0:
            self.fail_download -= 1
            return web.Response(status=500, text="Internal Server Error")
        if self.redirect_to is not None:
            base, self.redirect_to = self.redirect_to, None
            raise web.HTTPFound(f"{base}/download/{request.match_info['archive']}")
        if request.headers.get(TOKEN) != self.token:
            return web.Response(status=401, text="Unauthorized")
        files = self._archives.get(request.match_info["archive"])
        if files is None:
            return web.Response(status=404, text="Not Found")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in files:
                zf.writestr(path.name, path.read_bytes())
        data = buf.getvalue()
        if self.oversize:
            response = web.StreamResponse(headers={"Content-Type": "application/zip"})
            response.content_length = 10 * 1024**3
            await response.prepare(request)
            await response.write(data)
            return response
        if self.chunked:  # no Content-Length: the client must count while streaming
            response = web.StreamResponse(headers={"Content-Type": "application/zip"})
            response.enable_chunked_encoding()
            await response.prepare(request)
            for start in range(0, len(data), 4096):
                await response.write(data[start : start + 4096])
            await response.write_eof()
            return response
        return web.Response(body=data, content_type="application/zip")
