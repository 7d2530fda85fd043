"""Parsing one file in a test, and a synthetic EIS export (the header and a 44-FZ notice) for
the parsers' and the importer's bad-input tests. The helpers keep the names the tests have
always called them by."""

from __future__ import annotations

from pathlib import Path

from bot.sources.files import parse_path
from bot.sources.records import Document, ParsedFile


def _one(path: Path) -> ParsedFile:
    results = list(parse_path(path))
    assert len(results) == 1, results
    return results[0]


def _docs(path: Path) -> list[Document]:
    parsed = _one(path)
    assert parsed.errors == []
    return parsed.documents


EXPORT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<ns3:export xmlns="http://zakupki.gov.ru/oos/types/1" '
    'xmlns:ns3="http://zakupki.gov.ru/oos/export/1" '
    'xmlns:e="http://zakupki.gov.ru/oos/EPtypes/1" xmlns:b="http://zakupki.gov.ru/oos/base/1">'
)


def _notice(number: str, price: str) -> str:
    return (
        "<ns3:epNotificationEZK2020><e:versionNumber>1</e:versionNumber><e:commonInfo>"
        f"<e:purchaseNumber>{number}</e:purchaseNumber>"
        "<e:placingWay><b:code>ZKP20</b:code><b:name>Запрос котировок в электронной форме</b:name>"
        "</e:placingWay><e:purchaseObjectInfo>Тест</e:purchaseObjectInfo></e:commonInfo>"
        "<e:notificationInfo><e:contractConditionsInfo><e:maxPriceInfo>"
        f"<e:maxPrice>{price}</e:maxPrice></e:maxPriceInfo></e:contractConditionsInfo>"
        "</e:notificationInfo></ns3:epNotificationEZK2020>"
    )
