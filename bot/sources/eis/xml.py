"""XML look-ups for EIS documents: elements matched by namespace URI family plus local name.

44-ФЗ elements live under `…/oos/…` URIs, 223-ФЗ ones under `…/223fz/…` or in no namespace;
a look-up never goes by prefix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from bot.sources.eis.values import DocumentError

NS_EXPORT = "http://zakupki.gov.ru/oos/export/1"
NS_PRINTFORM = "http://zakupki.gov.ru/oos/printform/1"
NS_223_PURCHASE = "http://zakupki.gov.ru/223fz/purchase/1"
NS_223_CONTRACT = "http://zakupki.gov.ru/223fz/contract/1"
OOS_PREFIX = "http://zakupki.gov.ru/oos/"
FZ223_PREFIX = "http://zakupki.gov.ru/223fz/"

El = Any  # lxml element (lxml ships no type information)


@lru_cache(maxsize=8192)
def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def split(tag: object) -> tuple[str, str] | None:
    """(namespace URI, local name) of an element's tag; None for comments and the like."""
    if not isinstance(tag, str):
        return None  # comment, processing instruction, entity
    return _split_tag(tag)


def local_name(el: El) -> str:
    parts = split(el.tag)
    return parts[1] if parts else ""


class Xml:
    """Look-ups limited to one family of namespace URIs, by local name."""

    def __init__(self, accepts: Callable[[str], bool]) -> None:
        self.accepts = accepts
        self._accepted: dict[str, bool] = {}

    def _ok(self, uri: str) -> bool:
        known = self._accepted.get(uri)
        if known is None:
            known = self._accepted[uri] = self.accepts(uri)
        return known

    def children(self, el: El, name: str) -> Iterator[El]:
        # lxml filters by local name in C ("{*}name" matches any namespace, or none).
        for child in el.iterchildren("{*}" + name):
            if self._ok(_split_tag(child.tag)[0]):
                yield child

    def findall(self, el: El | None, path: str) -> list[El]:
        if el is None:
            return []
        current: list[El] = [el]
        for step in path.split("/"):
            current = [c for e in current for c in self.children(e, step)]
            if not current:
                break
        return current

    def find(self, el: El | None, path: str) -> El | None:
        found = self.findall(el, path)
        return found[0] if found else None

    def text(self, el: El | None, path: str) -> str | None:
        node = self.find(el, path)
        if node is None:
            return None
        value: str | None = node.text
        if value is None:
            return None
        value = value.strip()
        return value or None

    def first_text(self, el: El | None, *paths: str) -> str | None:
        for path in paths:
            value = self.text(el, path)
            if value is not None:
                return value
        return None

    def descendants(self, el: El | None, name: str) -> Iterator[El]:
        if el is None:
            return
        for node in el.iter():
            parts = split(node.tag)
            if parts and parts[1] == name and self.accepts(parts[0]) and node is not el:
                yield node

    def descendant_text(self, el: El | None, name: str) -> str | None:
        for node in self.descendants(el, name):
            value: str | None = node.text
            if value and value.strip():
                return value.strip()
        return None


X44 = Xml(lambda uri: uri.startswith(OOS_PREFIX))
X223 = Xml(lambda uri: uri == "" or uri.startswith(FZ223_PREFIX))


def doc_label(x: Xml, scope: El | None) -> str:
    """«name № number» of a payment or acceptance document (either part may be missing)."""
    if scope is None:
        return ""
    parts = [x.text(scope, n) for n in ("documentName", "name", "documentNum", "number")]
    name = parts[0] or parts[1] or ""
    num = parts[2] or parts[3]
    return f"{name} № {num}".strip() if num else name


def source_hash(el: El) -> str:
    """SHA-256 of the element's canonical form: an unchanged document hashes the same."""
    try:
        canonical: bytes = etree.tostring(el, method="c14n")
    except etree.C14NError:
        if next(el.iter(etree.Entity), None) is not None:  # left unexpanded: we never do
            raise DocumentError("сущности XML (<!ENTITY>) запрещены") from None
        raise
    return hashlib.sha256(canonical).hexdigest()
