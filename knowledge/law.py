"""The official text of 44-ФЗ as data: which articles, parts and items exist, which are repealed.

The text (knowledge/law/44-fz.txt.xz, see knowledge/law/README.md) is the consolidated edition
converted with `pdftotext -layout`. In that layout a new paragraph is indented and a wrapped line
starts at column 0, so a numbered part («13.1. Срок оплаты…») or item («4) …») is an *indented*
line that starts with its number; a line at column 0 that starts with a digit is a wrap.

The text marks a repealed unit by replacing its whole content with a note:
«8. Утратил силу с 1 мая 2022 года. - Федеральный закон …», «2 - 3. Утратили силу. - …»,
«25.1) - 25.3) утратили силу …», «Статья 63. …» / «Статьи 63 - 69. Утратили силу …», and for a
whole paragraph of a chapter its heading «§ 5. … (статьи 84 - 92)» followed by «Утратил силу …».

Parsing takes a fraction of a second, so it is done once, on first use (`law_44()`), and only by
the citation check (`smebot kb check`, article uploads) — never on the bot's answer path.
"""

from __future__ import annotations

import lzma
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from importlib import resources

Number = tuple[int, ...]  # «13.1» -> (13, 1); tuples order like the law numbers them
Span = tuple[Number, Number]  # an inclusive range «2 - 3», «42.2 - 52»

LAW_44_RESOURCE = "law/44-fz.txt.xz"

_NUM = r"\d+(?:\.\d+)*"
_ARTICLE_RE = re.compile(rf"^\s+Статья ({_NUM})\.\s*(.*)$")
_ARTICLES_RE = re.compile(rf"^\s+Статьи ({_NUM}) - ({_NUM})\.\s*(.*)$")
_HEADING_RE = re.compile(r"^\s+(?:Глава \d|§ \d)")
_HEADING_SPAN_RE = re.compile(rf"\(стать[яи] ({_NUM})(?: - ({_NUM}))?\)")
_PART_RE = re.compile(rf"^\s+({_NUM})(?: - ({_NUM}))?\.\s+(.*)$")
_ITEM_RE = re.compile(rf"^\s+({_NUM})\)(?:\s*-\s*({_NUM})\))?\s*(.*)$")
# The whole content of a repealed unit: notes «утратил силу [с …]. - Федеральный закон от … N …»,
# possibly after «не применяется …» notes; and at least one of them says «утратил(а, и) силу».
_NOTE = (
    r"(?:утратил[аио]?\s+силу|не\s+применя\w*)[^.;]*\.?"
    r"(?:\s*-\s*Федеральный\s+закон\s+от\s+[\d.]+\s+N\s+[\w-]+)?\s*[;.]?\s*"
)
_REPEAL_NOTE_RE = re.compile(rf"(?:{_NOTE})+", re.IGNORECASE)
_REPEALED_WORD_RE = re.compile(r"утратил[аио]?\s+силу", re.IGNORECASE)


def number(text: str) -> Number:
    """«13.1» -> (13, 1)."""
    return tuple(int(piece) for piece in text.split("."))


def _maybe_number(text: str | None) -> Number | None:
    return number(text) if text else None


def show(value: Number) -> str:
    """(13, 1) -> «13.1»."""
    return ".".join(str(piece) for piece in value)


def is_repeal_note(content: str) -> bool:
    """True when `content` is nothing but a note that the unit «утратил(а) силу»."""
    text = " ".join(content.split())
    return bool(_REPEAL_NOTE_RE.fullmatch(text) and _REPEALED_WORD_RE.search(text))


class Status(Enum):
    IN_FORCE = "in force"
    REPEALED = "repealed"
    MISSING = "missing"


@dataclass
class Numbered:
    """Units numbered 1, 1.1, 2 … inside one parent: a part's items or an article's parts."""

    repealed: dict[Number, bool] = field(default_factory=dict)
    repealed_spans: list[Span] = field(default_factory=list)

    def add(self, first: Number, last: Number | None, repealed: bool) -> None:
        if last is not None:
            # «2 - 3. Утратили силу»: every number from 2 to 3, including 2.1 if it ever existed
            self.repealed_spans.append((first, last))
            self.repealed.setdefault(first, True)
            self.repealed.setdefault(last, True)
            return
        # a number seen twice (a second list inside one part) is repealed only if both are
        self.repealed[first] = self.repealed.get(first, True) and repealed

    def status(self, key: Number) -> Status:
        if key in self.repealed:
            return Status.REPEALED if self.repealed[key] else Status.IN_FORCE
        if any(first <= key <= last for first, last in self.repealed_spans):
            return Status.REPEALED
        return Status.MISSING

    def __bool__(self) -> bool:
        return bool(self.repealed or self.repealed_spans)


@dataclass
class LawPart:
    items: Numbered = field(default_factory=Numbered)


@dataclass
class LawArticle:
    repealed: bool = False
    parts: Numbered = field(default_factory=Numbered)
    part_items: dict[Number, LawPart] = field(default_factory=dict)
    items: Numbered = field(default_factory=Numbered)  # items of an article without parts (ст. 3)
    # the lines of each part with its items (None: the text before the first part, or all of
    # an article without parts), for the figure check (knowledge.figures)
    lines: dict[Number | None, list[str]] = field(default_factory=dict)

    def text(self, part: Number | None = None) -> str:
        """A part's text with its items; the whole article's for None."""
        if part is None:
            return " ".join(line for chunk in self.lines.values() for line in chunk)
        return " ".join(self.lines.get(part, ()))


@dataclass
class LawText:
    """Articles by number; whole articles repealed by «Статьи 53 - 59.» or a repealed §."""

    articles: dict[Number, LawArticle] = field(default_factory=dict)
    repealed_articles: list[Span] = field(default_factory=list)

    def article_status(self, article: Number) -> Status:
        found = self.articles.get(article)
        if found is not None:
            return Status.REPEALED if found.repealed else Status.IN_FORCE
        if any(first <= article <= last for first, last in self.repealed_articles):
            return Status.REPEALED
        return Status.MISSING

    def status(
        self, article: Number, part: Number | None = None, item: Number | None = None
    ) -> Status:
        """The status of «п. item ч. part ст. article» (omit part/item for a coarser unit).

        A unit inside a repealed one is repealed; one inside a missing one is missing."""
        result = self.article_status(article)
        if result is not Status.IN_FORCE:
            return result
        found = self.articles[article]
        if part is not None:
            result = found.parts.status(part)
            if result is not Status.IN_FORCE:
                return result
        if item is None:
            return Status.IN_FORCE
        if part is not None:
            return found.part_items[part].items.status(item)
        if found.items:
            return found.items.status(item)
        # «п. 4 ст. 3» leaves out the part (ст. 3 lists its terms in ч. 1): any part's item counts
        statuses = {p.items.status(item) for p in found.part_items.values()}
        for result in (Status.IN_FORCE, Status.REPEALED):
            if result in statuses:
                return result
        return Status.MISSING


# ------------------------------------------------------------------ parsing
@dataclass
class _Unit:
    """The unit being read: its content grows with wrapped lines until the next unit starts."""

    numbered: Numbered
    first: Number
    last: Number | None
    lines: list[str]

    def close(self) -> None:
        self.numbered.add(self.first, self.last, is_repeal_note(" ".join(self.lines)))


@dataclass
class _Parser:
    law: LawText = field(default_factory=LawText)
    article: LawArticle | None = None
    part: LawPart | None = None
    part_key: Number | None = None
    unit: _Unit | None = None
    article_title: list[str] | None = None  # the heading «Статья N. …» until its blank line
    section_heading: list[str] | None = None  # a «§ …» heading until the text after it

    def feed(self, line: str) -> None:
        if self.section_heading is not None and self._section_line(line):
            return
        if not line.strip():
            self._end_title()
            self._end_unit()
            return
        if _HEADING_RE.match(line):
            self._end_article()
            self.section_heading = [line] if "§" in line else None
            return
        if self.article_title is not None and line.startswith(" "):
            self._end_title()  # the text starts without a blank line after the title
        if (match := _ARTICLE_RE.match(line)) is not None:
            self._start_article(number(match[1]), match[2])
        elif (match := _ARTICLES_RE.match(line)) is not None:
            self._end_article()
            if is_repeal_note(match[3]):
                self.law.repealed_articles.append((number(match[1]), number(match[2])))
        elif self.article_title is not None and not line.startswith(" "):
            self.article_title.append(line)  # the title wraps to column 0
        elif self.article is not None:
            self._body_line(self.article, line)

    def _body_line(self, article: LawArticle, line: str) -> None:
        if not line.startswith(" "):
            if self.unit is not None:
                self.unit.lines.append(line)  # a wrapped line
        elif (match := _PART_RE.match(line)) is not None:
            self._start_part(number(match[1]), _maybe_number(match[2]), match[3])
        elif (match := _ITEM_RE.match(line)) is not None:
            self._start_item(number(match[1]), _maybe_number(match[2]), match[3])
        else:
            self._end_unit()  # an unnumbered paragraph (абзац) ends the item before it
        article.lines.setdefault(self.part_key, []).append(line.strip())

    def finish(self) -> LawText:
        self._end_article()
        return self.law

    def _section_line(self, line: str) -> bool:
        """Collect a § heading; a «Утратил силу» right after it repeals its articles."""
        assert self.section_heading is not None
        if not line.strip():
            return True
        if line.strip().startswith(("(", "§")) or not _at_text_indent(line):
            self.section_heading.append(line)
            return True
        heading = " ".join(" ".join(self.section_heading).split())
        self.section_heading = None
        span = _HEADING_SPAN_RE.search(heading)
        if span is not None and is_repeal_note(line):
            first = number(span[1])
            self.law.repealed_articles.append((first, number(span[2]) if span[2] else first))
            return True
        return False

    def _start_article(self, key: Number, title: str) -> None:
        self._end_article()
        self.article = self.law.articles.setdefault(key, LawArticle())
        self.article_title = [title]

    def _end_title(self) -> None:
        if self.article is not None and self.article_title is not None:
            self.article.repealed = is_repeal_note(" ".join(self.article_title))
        self.article_title = None

    def _start_part(self, first: Number, last: Number | None, text: str) -> None:
        assert self.article is not None
        self._end_unit()
        self.part = self.article.part_items.setdefault(first, LawPart())
        self.part_key = first
        self.unit = _Unit(self.article.parts, first, last, [text])

    def _start_item(self, first: Number, last: Number | None, text: str) -> None:
        assert self.article is not None
        self._end_unit()
        items = self.part.items if self.part is not None else self.article.items
        self.unit = _Unit(items, first, last, [text])

    def _end_unit(self) -> None:
        if self.unit is not None:
            self.unit.close()
            self.unit = None

    def _end_article(self) -> None:
        self._end_title()
        self._end_unit()
        self.article = None
        self.part = None
        self.part_key = None


def _at_text_indent(line: str) -> bool:
    """A § heading is centred title text; the text after it starts at the usual indent."""
    return len(line) - len(line.lstrip(" ")) <= 8


def parse_law(text: str) -> LawText:
    """Parse the `pdftotext -layout` text of a law into articles, parts and items."""
    parser = _Parser()
    for line in text.replace("\f", "").splitlines():
        parser.feed(line.rstrip())
    return parser.finish()


@cache
def law_44() -> LawText:
    """44-ФЗ as shipped in the package, parsed on first use and kept for the process."""
    data = resources.files("knowledge").joinpath(LAW_44_RESOURCE).read_bytes()
    return parse_law(lzma.decompress(data).decode("utf-8"))
