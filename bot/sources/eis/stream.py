"""The streaming driver: one EIS XML file → records, document by document.

`lxml.etree.iterparse` walks the file and each document (a child of the 44-ФЗ `<export>`
wrapper, the print-form root, or one 223-ФЗ `body/item`) is mapped as soon as it is complete,
then cleared. A document that cannot be mapped becomes a `SourceError` and the file goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from bot.sources.eis.fz44 import map_44
from bot.sources.eis.fz223 import Mapper223, mapper_223
from bot.sources.eis.xml import (
    NS_EXPORT,
    NS_PRINTFORM,
    OOS_PREFIX,
    X44,
    X223,
    El,
    local_name,
    source_hash,
    split,
)
from bot.sources.records import Document, SourceError, check_amounts

Parsed = Document | SourceError

EXTERNAL_ENTITIES = "внешние сущности запрещены: файл с <!ENTITY … SYSTEM> или внешним DTD отклонён"


def _external_entities(root: El) -> bool:
    """The document declares an external entity or DTD (an XXE attempt); nothing is ever
    fetched or expanded, but the file is refused with a plain reason."""
    docinfo = root.getroottree().docinfo
    if docinfo.system_url:
        return True
    dtd = docinfo.internalDTD
    return dtd is not None and any(e.system_url for e in dtd.iterentities())


def _map_223(mapper: Mapper223, root_type: str, item: El) -> list[Document]:
    return [mapper(root_type, item, source_hash(item))]


def _doc_id(el: El) -> str:
    doc_type = local_name(el)
    for name in ("purchaseNumber", "registrationNumber", "regNum", "contractRegNumber"):
        for x in (X44, X223):
            value = x.descendant_text(el, name)
            if value:
                return f"{doc_type} {value}"
    return doc_type


def _release(el: El) -> None:
    """Free a processed subtree and the already-processed siblings before it."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def parse_xml(source: str | Path | IO[bytes], name: str) -> Iterator[Parsed]:  # noqa: C901  (the streaming driver: events, documents, errors)
    """Yield every record (or SourceError) in one EIS XML file; never raises for bad input."""
    src: Any = str(source) if isinstance(source, Path) else source
    events = etree.iterparse(
        src,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    kind = ""
    root_type = ""
    mapper223: Mapper223 | None = None
    try:
        for event, el in events:
            if event == "start":
                if depth == 0:
                    if _external_entities(el):
                        yield SourceError(name, EXTERNAL_ENTITIES)
                        return
                    uri, root_type = split(el.tag) or ("", "")
                    if uri == NS_EXPORT and root_type == "export":
                        kind = "export"
                    elif uri == NS_PRINTFORM or (uri.startswith(OOS_PREFIX) and uri != NS_EXPORT):
                        kind = "root44"
                    elif (mapper223 := mapper_223(uri, root_type)) is not None:
                        kind = "223"
                    else:
                        yield SourceError(name, f"unknown root element {el.tag}", root_type)
                        return
                depth += 1
                continue
            depth -= 1
            if kind == "export" and depth == 1:
                yield from _guard(name, el, map_44)
                _release(el)
            elif kind == "root44" and depth == 0:
                yield from _guard(name, el, map_44)
            elif kind == "223" and depth == 2 and local_name(el) == "item" and mapper223:
                yield from _guard(name, el, partial(_map_223, mapper223, root_type), root_type)
                _release(el)
    except etree.XMLSyntaxError as exc:
        yield SourceError(name, f"malformed XML: {exc}")
    except (OSError, ValueError, MemoryError) as exc:
        yield SourceError(name, f"cannot read XML: {exc}")


def _guard(
    name: str, el: El, mapper: Callable[[El], list[Document]], doc_type: str | None = None
) -> Iterator[Parsed]:
    """Map one document; a failure becomes a SourceError and the file goes on."""
    try:
        records = [check_amounts(record) for record in mapper(el)]
    except Exception as exc:  # one bad document must not lose the others
        label = _doc_id(el)
        if doc_type and not label.startswith(doc_type):
            label = f"{doc_type} {label}"
        yield SourceError(name, f"{type(exc).__name__}: {exc}", label)
        return
    yield from records
