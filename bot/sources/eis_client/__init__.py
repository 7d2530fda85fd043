"""Client of the EIS information service ("сервис отдачи информации", getDocsIP).

Since 2025 the EIS open data comes from a SOAP service that needs a personal token instead
of the closed FTP (see ../shared/samples/FORMATS.md §1). `EisClient` asks the service for the
documents of one region and day (`getDocsByOrgRegionRequest`) or of one registry number
(`getDocsByReestrNumberRequest`), downloads every archive the answer links to and returns
the local files, ready for `bot.sources.files.parse_path`.

Modules: `queries` (what is asked for: subsystems, document types, registry numbers),
`soap` (the request envelopes and reading the answers), `archives` (where downloads may come
from, how large they may be, how they are named), `client` (`EisClient`: HTTP, retries,
downloads), `errors` (`EisError`).

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
