"""What the client asks the service for: subsystems and document types per law, and which
subsystem a registry number belongs to (see the package docstring for what is confirmed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.sources.eis_client.errors import EisError


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
