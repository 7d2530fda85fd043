"""Parsers of EIS XML and OCDS JSON on synthetic bad input: broken and truncated XML, entities,
zip bombs and oversized members, unknown children, cancellations, missing paths."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.sources.files import Limits, parse_path
from bot.sources.records import (
    CANCELLED,
    ProcedureRecord,
    ProtocolRecord,
)
from tests.support.sources import EXPORT_HEAD, _docs, _notice, _one


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_multi_document_export_keeps_good_documents(tmp_path: Path) -> None:
    text = (
        EXPORT_HEAD
        + _notice("0000000000025000001", "10.50")
        + _notice("0000000000025000002", "abc")
    )
    text += _notice("0000000000025000003", "1.5E3") + "</ns3:export>"
    parsed = _one(_write(tmp_path, "multi.xml", text.encode()))
    assert [d.number for d in parsed.documents if isinstance(d, ProcedureRecord)] == [
        "0000000000025000001",
        "0000000000025000003",
    ]
    assert [d.max_price for d in parsed.documents if isinstance(d, ProcedureRecord)] == [
        Decimal("10.50"),
        Decimal("1.5E3"),
    ]
    (error,) = parsed.errors
    assert error.document and "0000000000025000002" in error.document


def test_truncated_xml_keeps_earlier_documents(tmp_path: Path) -> None:
    text = EXPORT_HEAD + _notice("0000000000025000001", "1") + _notice("0000000000025000002", "2")
    parsed = _one(_write(tmp_path, "cut.xml", text[:-40].encode()))
    assert [d.number for d in parsed.documents if isinstance(d, ProcedureRecord)] == [
        "0000000000025000001"
    ]
    assert len(parsed.errors) == 1 and "malformed" in parsed.errors[0].reason


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("garbage.xml", b"\x00\x01PK\x03\x04 not xml at all"),
        ("empty.xml", b""),
        ("cp1251.xml", '<?xml version="1.0" encoding="UTF-8"?><a>Привет</a>'.encode("cp1251")),
        ("unknown.xml", b'<?xml version="1.0"?><root xmlns="urn:x"><a/></root>'),
        ("bad.json", b'{"releases": [ {"ocid": '),
        ("cp1251.json", '{"ocid": "Привет", "tag": ["tender"]}'.encode("cp1251")),
        ("notocds.json", b'{"hello": 1}'),
        ("doc.exe", b"MZ"),
    ],
)
def test_bad_files_give_source_errors(tmp_path: Path, name: str, data: bytes) -> None:
    parsed = _one(_write(tmp_path, name, data))
    assert parsed.documents == []
    assert len(parsed.errors) == 1
    assert parsed.errors[0].file.endswith(name)


def test_unknown_export_child_is_reported(tmp_path: Path) -> None:
    text = EXPORT_HEAD + "<ns3:somethingNew><id>1</id></ns3:somethingNew>"
    text += _notice("0000000000025000001", "1") + "</ns3:export>"
    parsed = _one(_write(tmp_path, "mixed.xml", text.encode()))
    assert len(parsed.documents) == 1
    assert len(parsed.errors) == 1 and "somethingNew" in parsed.errors[0].reason


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + EXPORT_HEAD.split("\n", 1)[1]
        + _notice("0000000000025000001", "1").replace("Тест", "&e;")
        + "</ns3:export>"
    )
    parsed = _one(_write(tmp_path, "xxe.xml", text.encode()))
    for doc in parsed.documents:
        assert isinstance(doc, ProcedureRecord)
        assert "root:" not in doc.title


def test_zip_archive_with_bomb_and_good_members(tmp_path: Path, samples: Path) -> None:
    archive = tmp_path / "batch.zip"
    good = (samples / "eis/44fz_epNotificationEZK2020_0373200624325000142.xml").read_bytes()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dir/", b"")
        zf.writestr("dir/good.xml", good)
        zf.writestr("dir/good.xml.sig", b"signature")
        zf.writestr("bomb.xml", b"<a>" + b" " * (8 * 1024 * 1024) + b"</a>")
        zf.writestr("readme.pdf", b"%PDF")
    results = {Path(r.file.split("!")[1]).name: r for r in parse_path(archive)}
    assert set(results) == {"good.xml", "bomb.xml", "readme.pdf"}
    assert len(results["good.xml"].documents) == 1 and not results["good.xml"].errors
    assert "ratio" in results["bomb.xml"].errors[0].reason
    assert results["readme.pdf"].errors


def test_zip_member_larger_than_declared_limit(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("big.xml", b"<a>" + b"x" * 5000 + b"</a>")
    (result,) = parse_path(archive, Limits(max_member_size=1000))
    assert result.documents == [] and "exceeds" in result.errors[0].reason


def test_zip_with_too_many_members_and_broken_zip(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(5):
            zf.writestr(f"{i}.xml", b"<a/>")
    (result,) = parse_path(archive, Limits(max_members=3))
    assert "members" in result.errors[0].reason
    (broken,) = parse_path(_write(tmp_path, "broken.zip", b"PK\x03\x04garbage"))
    assert broken.errors


def test_cancellation_document(tmp_path: Path) -> None:
    text = (
        EXPORT_HEAD
        + "<ns3:epNotificationCancel><e:commonInfo><e:purchaseNumber>0000000000025000009"
        "</e:purchaseNumber><e:publishDTInEIS>2025-10-20T10:00:00+03:00</e:publishDTInEIS>"
        "</e:commonInfo></ns3:epNotificationCancel></ns3:export>"
    )
    (doc,) = _docs(_write(tmp_path, "cancel.xml", text.encode()))
    assert isinstance(doc, ProtocolRecord)
    assert doc.status == CANCELLED
    assert doc.at == datetime(2025, 10, 20, 7, 0, tzinfo=UTC)


def test_missing_path(tmp_path: Path) -> None:
    (result,) = parse_path(tmp_path / "nope.xml")
    assert result.errors
