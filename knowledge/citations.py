"""The citation guard: an article must not cite a part of 44-ФЗ that is repealed or does not exist.

What is checked, against the law's text (knowledge.law):

- every entry of `laws` whose citation names 44-ФЗ («ч. 1 ст. 30 44-ФЗ», «п. 4 ч. 1 ст. 93
  44-ФЗ», «ч. 1–3 ст. 37 44-ФЗ», «ч. 5, 6 ст. 30 44-ФЗ», «ст. 14 44-ФЗ»);
- every citation in the body that refers to 44-ФЗ, by this rule:
  1. a citation followed by a law («ч. 2 ст. 44 44-ФЗ», «ст. 395 ГК РФ», «ст. 17 закона о
     защите конкуренции»; «Закона о контрактной системе» is 44-ФЗ) cites that law;
  2. a bare citation («ч. 12 ст. 93») joined to the next citation only by «,», «;», «и»,
     «или» cites the law of that one («ч. 13.1 ст. 34 и ч. 8 ст. 30 44-ФЗ»);
  3. otherwise it cites the only statute (N-ФЗ or a code) its sentence names, an amending law
     («в ред. 104-ФЗ») aside; a sentence that names none takes 44-ФЗ when the article's
     `applies_to` is 44-ФЗ. A sentence naming two statutes, or none in an article on 223-ФЗ or
     on both laws, leaves the citation unchecked.
  A body sentence that itself says the rule is gone («утратила силу», «утратившая силу»,
  «больше не действует», «не действует», «отменён», «до реформы», «в прежней редакции», or
  that starts with «Раньше») is a warning about the old rule: its citations are not flagged.
  A sentence ends at «.», «!» or «?» before a capital letter, and at a blank line, a list item
  or a heading. Citations in `sources` are not checked (they may quote old editions).

Only the abbreviated form the article format asks for is recognised (ч., п., ст.); citations of
223-ФЗ, ПП, codes and other laws are out of scope. Part numbers come from the parsed text: a
range «ч. 1–3» checks 1, 2 and 3; «ч. 5.1–5.3» checks its two ends.

Enforcement: `smebot kb check` (`load_directory(..., citations=True)`) reports the problems as
`CitationProblem`s, and with ENFORCE_CITATIONS on, uploads, rollbacks and `smebot kb sync` refuse
them too. Set it to False to make `kb check` print them as warnings only (exit 0) and the others
ignore them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from knowledge.law import Number, Status, law_44, number, show
from knowledge.loader import FRONT_RE, Problem, load_yaml

ENFORCE_CITATIONS = True  # False: `kb check` only warns; uploads and sync ignore citations
LAW = "44-ФЗ"

_NUM = r"\d+(?:\.\d+)*"
_DASH = r"\s?[-–]\s?"  # «1–3», «1 – 3»; not an em dash «—», which is punctuation
_LIST = rf"{_NUM}(?:(?:{_DASH}|\s*,\s*|\s+и\s+){_NUM})*"
_STATUTE = r"\d+-ФЗ|(?:АПК|ГПК|ГК|НК|БК|ТК|ЖК|УК|КоАП|ЗК)(?:\s+РФ)?\b"
_CITATION_RE = re.compile(
    rf"(?:\b[Пп]п?\.\s*(?P<items>{_LIST})\s+)?"
    rf"(?:\b[Чч]ч?\.\s*(?P<parts>{_LIST})\s+)?"
    rf"\b[Сс]т\.\s*(?P<articles>{_NUM}(?:[-–]{_NUM})?)"
    rf"(?:\s+(?:(?:Федерального\s+)?[Зз]акона\s+)?(?:№\s*)?(?P<law>{_STATUTE})"
    # a law named in words: «ст. 17 закона о защите конкуренции», «ст. 401 Гражданского кодекса»
    r"|\s+(?P<words>(?:[А-ЯЁа-яё]+\s+){0,2}(?:[Зз]акона|[Кк]одекса)\b"
    r"(?:\s+о\s+контрактной\s+системе)?))?"
)
_STATUTE_RE = re.compile(rf"(?<![\w-])(?:{_STATUTE})")
# «в ред. 104-ФЗ», «в редакции Федерального закона от 16.04.2022 № 104-ФЗ»: an amending law
_AMENDING_RE = re.compile(
    r"(?:ред\.|редакции|изменени\w*)\s*(?:Федерального\s+закона\s+)?(?:от\s+[\d.]+\s*)?"
    r"(?:№\s*)?$"
)
_CONNECTOR_RE = re.compile(r"\s*(?:,|;|и|или)?\s*")
OLD_RULE_RE = re.compile(
    r"утрат\w*\s+сил|больше\s+не\s+(?:действ|применя)|не\s+действует|отмен[её]н|до\s+реформы"
    r"|в\s+(?:прежней|старой)\s+редакции|^\W*Раньше\b",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[*_»\")]*\s+(?=[*_«\"(]*[А-ЯЁA-Z])")
_BLOCK_START_RE = re.compile(r"^\s*(?:[-*]\s|\d+\.\s|#+\s)")


@dataclass(frozen=True, slots=True)
class CitationProblem(Problem):
    """A citation of a repealed or missing unit of 44-ФЗ (enforced by ENFORCE_CITATIONS)."""


@dataclass(frozen=True, slots=True)
class Citation:
    """One unit cited: «п. item ч. part ст. article» of `law` (None: law not determined)."""

    article: Number
    part: Number | None
    item: Number | None
    law: str | None
    start: int  # offset in the text the citation was found in

    def __str__(self) -> str:
        pieces = []
        if self.item is not None:
            pieces.append(f"п. {show(self.item)}")
        if self.part is not None:
            pieces.append(f"ч. {show(self.part)}")
        pieces.append(f"ст. {show(self.article)}")
        return " ".join(pieces)


# ------------------------------------------------------------------ extraction
def _numbers(listing: str | None) -> list[Number | None]:
    """«1–3» -> 1, 2, 3; «5, 6» / «5 и 6» -> 5, 6; «5.1–5.3» -> 5.1, 5.3; None -> [None]."""
    if not listing:
        return [None]
    found: list[Number | None] = []
    for piece in re.split(r"\s*,\s*|\s+и\s+", listing.strip()):
        ends = [number(end) for end in re.split(_DASH, piece)]
        first, last = ends[0], ends[-1]
        if len(first) == 1 and len(last) == 1 and first < last:
            found.extend((n,) for n in range(first[0], last[0] + 1))
        else:
            found.extend(dict.fromkeys(ends))
    return found


def find_citations(text: str) -> list[Citation]:
    """Citations in `text` with the law each names, or carries from the next (rules 1–2)."""
    matches = list(_CITATION_RE.finditer(text))
    laws = [_named_law(m) for m in matches]
    for index in range(len(matches) - 2, -1, -1):
        gap = text[matches[index].end() : matches[index + 1].start()]
        if laws[index] is None and _CONNECTOR_RE.fullmatch(gap):
            laws[index] = laws[index + 1]
    citations: list[Citation] = []
    for match, law in zip(matches, laws, strict=True):
        for article in _numbers(match["articles"]):
            assert article is not None
            for part in _numbers(match["parts"]):
                for item in _numbers(match["items"]):
                    citations.append(Citation(article, part, item, law, match.start()))
    return citations


def _named_law(match: re.Match[str]) -> str | None:
    """The law named right after a citation: «44-ФЗ», «ГК РФ», «закона о …», or None."""
    if match["law"]:
        return " ".join(match["law"].split())
    words = match["words"]
    if words:
        return LAW if "контрактной" in words else " ".join(words.split())
    return None


def _sentence_law(sentence: str, applies_to: str) -> str | None:
    """Rule 3: the law of a bare citation in `sentence` (amending laws «в ред. …» aside)."""
    named = {
        " ".join(m.group().split())
        for m in _STATUTE_RE.finditer(sentence)
        if not _AMENDING_RE.search(sentence, 0, m.start())
    }
    if len(named) == 1:
        return named.pop()
    if not named and applies_to == LAW:
        return LAW
    return None


# 223-ФЗ has articles 1–8 (with 3.1–3.6 …): a bare «ст. 42» in an article on both laws is 44-ФЗ's
LAST_223_ARTICLE = (8,)


def citation_law(citation: Citation, sentence: str, applies_to: str) -> str | None:
    """The law a body citation cites: named after it (rules 1–2), or by its sentence (rule 3);
    in an article on both laws, a bare citation of an article 223-ФЗ does not have (after ст. 8)
    in a sentence that names no statute is 44-ФЗ's."""
    law = citation.law or _sentence_law(sentence, applies_to)
    if (
        law is None
        and applies_to == "both"
        and citation.article > LAST_223_ARTICLE
        and _STATUTE_RE.search(sentence) is None
    ):
        return LAW
    return law


def body_blocks(lines: list[str]) -> Iterator[list[tuple[int, str]]]:
    """Paragraphs, list items and headings of a Markdown body, as (line index, text) runs."""
    block: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        if not line.strip() or _BLOCK_START_RE.match(line):
            if block:
                yield block
            block = []
        if line.strip():
            block.append((index, line))
    if block:
        yield block


def sentences(block: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """(index of the line it starts on, sentence) for each sentence of a block; a sentence
    keeps the block's line breaks, so a citation's line is its start line plus those before it."""
    text = "\n".join(line for _, line in block)
    starts: list[int] = []
    offset = 0
    for _, line in block:
        starts.append(offset)
        offset += len(line) + 1
    begin = 0
    for end in [m.start() for m in _SENTENCE_END_RE.finditer(text)] + [len(text)]:
        line_index = max(i for i, start in enumerate(starts) if start <= begin)
        yield block[line_index][0], text[begin:end]
        begin = end


@dataclass(frozen=True, slots=True)
class _Found:
    line: int  # 1-based line of the article file
    citation: Citation
    warns: bool  # the sentence says the rule is gone


def _body_citations(lines: list[str], first_line: int, applies_to: str) -> Iterator[_Found]:
    for block in body_blocks(lines):
        for line_index, sentence in sentences(block):
            warns = bool(OLD_RULE_RE.search(sentence))
            for citation in find_citations(sentence):
                if citation_law(citation, sentence, applies_to) == LAW:
                    line = first_line + line_index + sentence.count("\n", 0, citation.start)
                    yield _Found(line, citation, warns)


def _laws_citations(front: str, laws: list[str]) -> Iterator[_Found]:
    front_lines = front.splitlines()
    for law in laws:
        line = _laws_line(front_lines, law)
        for citation in find_citations(law):
            if citation.law == LAW:
                yield _Found(line, citation, warns=False)


def _laws_line(front_lines: list[str], law: str) -> int:
    """1-based line of a `laws` entry in the file (the front matter starts on line 2)."""
    key_line = 1
    for number_, line in enumerate(front_lines, start=2):
        if line.startswith("laws:"):
            key_line = number_
        elif key_line > 1 and line[:1] not in ("", " ", "\t", "-"):
            break  # the next field
        if key_line > 1 and law in line:
            return number_
    return key_line


# ------------------------------------------------------------------ checking
def _reason(citation: Citation, status: Status) -> str:
    if status is Status.REPEALED:
        reason = f"cites {citation} {LAW}, which the law's text marks repealed"
    else:
        reason = f"cites {citation} {LAW}, which does not exist in the law's text"
    if citation.law is None:  # a bare citation read as 44-ФЗ (rule 3)
        reason += " (no law named after it, read as 44-ФЗ: name the law if it is another one)"
    return reason


def front_fields(text: str) -> tuple[str, dict[str, Any], int] | None:
    """(front matter, its fields, offset of the body) or None when it does not parse."""
    match = FRONT_RE.match(text)
    if match is None:
        return None
    try:
        data = load_yaml(match.group(1))
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    return match.group(1), data, match.end()


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def citation_problems(text: str, path: str) -> list[Problem]:
    """Citations of repealed or non-existent units of 44-ФЗ in an article file's text."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    fields = front_fields(text)
    if fields is None:
        return []  # parse_article reports the broken front matter
    front, data, body_start = fields
    laws = _texts(data.get("laws"))
    first_body_line = text.count("\n", 0, body_start) + 1
    found = [
        *_laws_citations(front, laws),
        *_body_citations(
            text[body_start:].split("\n"), first_body_line, str(data.get("applies_to") or "")
        ),
    ]
    law = law_44()
    problems: dict[tuple[int, str], Problem] = {}
    for hit in found:
        cited = hit.citation
        status = law.status(cited.article, cited.part, cited.item)
        if status is not Status.IN_FORCE and not hit.warns:
            reason = _reason(cited, status)
            problems.setdefault((hit.line, reason), CitationProblem(path, hit.line, reason))
    return list(problems.values())


def enforced_citation_problems(text: str, path: str) -> list[Problem]:
    """`citation_problems` while ENFORCE_CITATIONS is on, else nothing (no parsing either)."""
    return citation_problems(text, path) if ENFORCE_CITATIONS else []


def split_warnings(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(problems that fail the check, citation problems shown as warnings only)."""
    if ENFORCE_CITATIONS:
        return problems, []
    return (
        [p for p in problems if not isinstance(p, CitationProblem)],
        [p for p in problems if isinstance(p, CitationProblem)],
    )
