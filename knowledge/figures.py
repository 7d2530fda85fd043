"""The figure check: a figure an article states beside a 44-ФЗ citation must be in the text of
the unit it cites, with the same unit of measure.

A figure is a number with its unit: «7 рабочих дней», «10 календарных дней», «24 часа»,
«5 %», «600 тыс. ₽», «1/300». In the law's text (knowledge.law) figures are written in words as
often as in digits («не более семи рабочих дней», «пяти процентов», «шестисот тысяч рублей»,
«одной трехсотой»), so both are read there. For every sentence of an article's body that cites
44-ФЗ (the sentences and citations of knowledge.citations), each figure of the sentence must
occur in the text of one of the units the sentence cites (a part with its items, or a whole
article when no part is named). Days are compared with their kind: «7 рабочих дней» against a
law that says «семи дней» is a mismatch, and so is the other way round.

What this cannot see: a figure in a sentence without a 44-ФЗ citation (reported apart as
unchecked, `smebot kb figures`), a figure the law states in another part than the one cited
in the same sentence (a false alarm that the citation fixes), and a wrong figure that happens
to occur in the cited part for another purpose. It is a reviewer's aid: `smebot kb figures`
lists what does not match; `smebot kb check` does not fail on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from knowledge.citations import (
    LAW,
    OLD_RULE_RE,
    Citation,
    body_blocks,
    citation_law,
    find_citations,
    front_fields,
    sentences,
)
from knowledge.law import Number, Status, law_44, show
from knowledge.text import lemma

# Units of measure, and the day kinds that must agree.
PERCENT, DAY, HOUR, MONTH, YEAR, RUB, SHARE = "%", "day", "hour", "month", "year", "₽", "share"
WORKING, CALENDAR = "working", "calendar"

_CARDINALS = {
    "ноль": 0, "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16,
    "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30,
    "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80,
    "девяносто": 90, "сто": 100, "двести": 200, "триста": 300, "четыреста": 400,
    "пятьсот": 500, "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
}  # fmt: skip
_MULTIPLIERS = {"тысяча": 1_000, "миллион": 1_000_000, "миллиард": 1_000_000_000}
# «одной трехсотой», «одной стопятидесятой»: the denominators the law uses for penalties
_DENOMINATORS = {
    "второй": 2, "десятый": 10, "сотый": 100, "стопятидесятый": 150, "трехсотый": 300,
    "трёхсотый": 300,
}  # fmt: skip
# «десятидневный срок», «трехдневный»: days in one word
_DAYS_WORD_RE = re.compile(r"([а-яё]+?)дневн[а-яё]*", re.IGNORECASE)
_ABBREVIATED = {"тыс": 1_000, "млн": 1_000_000, "млрд": 1_000_000_000}

# another source named in the sentence: a figure that 44-ФЗ does not state may be its
_OTHER_SOURCE_RE = re.compile(
    r"(?<![\w-])(?!44-ФЗ)\d+-ФЗ|\b(?:ГК|НК|БК|ТК|АПК|ГПК|КоАП)\b|\bПП\b|[Пп]остановлени|[Пп]риказ"
    r"|\b[Пп]исьм(?:о|а|е|у|ом)\b|[Рр]аспоряжени|\b[Уу]каз\b"
)
# a worked example («Пример: НМЦК 3 млн руб., 1 % = 30 000 руб.»): its sums are not the law's
_EXAMPLE_RE = re.compile(r"\b[Пп]ример|\bнапример\b|=|×")
# a figure of an old rule, named as such («устаревшая редакция», «прежняя редакция разрешала»)
_OLD_FIGURE_RE = re.compile(r"устаре\w*|прежн\w*\s+редакци|в\s+старых\s+\w+", re.IGNORECASE)
_WORD_RE = re.compile(r"\d+(?:[ \u00a0]\d{3})*(?:,\d+)?|[А-Яа-яЁё]+|%|₽|/")


@dataclass(frozen=True, slots=True)
class Figure:
    value: Fraction
    unit: str
    kind: str | None = None  # for days: WORKING, CALENDAR or None (the law's plain «дней»)
    text: str = ""

    def __str__(self) -> str:
        return self.text or f"{self.value} {self.unit}"


# a unit word by its start (after «рабочих» / «календарных» only days may follow)
_UNIT_STARTS = (("%", PERCENT), ("₽", RUB), ("процент", PERCENT), ("час", HOUR), ("месяц", MONTH))
_UNIT_WORDS = {"лет": YEAR, "год": YEAR, "года": YEAR, "году": YEAR, "годов": YEAR}
_DAY_KINDS = (("рабоч", WORKING), ("календарн", CALENDAR))


def _unit(words: list[str], at: int) -> tuple[str, str | None, int] | None:
    """The unit of measure starting at words[at]: (unit, day kind, words used) or None."""
    if at >= len(words):
        return None
    first = words[at].lower()
    kind = next((k for start, k in _DAY_KINDS if first.startswith(start)), None)
    if kind is not None:
        following = words[at + 1].lower() if at + 1 < len(words) else ""
        return (DAY, kind, 2) if following.startswith(("дн", "ден", "сут")) else None
    if first.startswith(("дн", "сут")) or first in ("день", "дня"):
        return DAY, None, 1
    unit = _UNIT_WORDS.get(first) or next(
        (u for start, u in _UNIT_STARTS if first.startswith(start)), None
    )
    if unit is None and first.startswith("руб"):
        unit = RUB
    return (unit, None, 1) if unit is not None else None


def _digits(token: str) -> Fraction | None:
    if not token[0].isdigit():
        return None
    return Fraction(token.replace(" ", "").replace("\u00a0", "").replace(",", "."))


def figures(text: str) -> list[Figure]:
    """The figures of a text, in digits or in words (a sentence of an article or of the law)."""
    words = _WORD_RE.findall(text)
    found: list[Figure] = []
    i = 0
    while i < len(words):
        start = i
        days = _DAYS_WORD_RE.fullmatch(words[i])
        if days is not None and lemma(days[1].lower()) in _CARDINALS:
            found.append(Figure(Fraction(_CARDINALS[lemma(days[1].lower())]), DAY, text=words[i]))
            i += 1
            continue
        value, i = _number(words, i)
        if value is None:
            i += 1
            continue
        # «1/300», «одной трехсотой»: a share
        if (
            i + 1 < len(words)
            and words[i] == "/"
            and words[i + 1].isdigit()
            and value < 10  # «1/300»; not a document number «28/19569»
            and (i + 2 >= len(words) or words[i + 2] != "/")
        ):
            found.append(
                Figure(value / int(words[i + 1]), SHARE, text=" ".join(words[start : i + 2]))
            )
            i += 2
            continue
        if value == 1 and i < len(words) and lemma(words[i].lower()) in _DENOMINATORS:
            share = Fraction(1, _DENOMINATORS[lemma(words[i].lower())])
            i += 1
            if i < len(words) and lemma(words[i].lower()) == "процент":  # «одной второй процента»
                found.append(Figure(share, PERCENT, text=" ".join(words[start : i + 1])))
                i += 1
            else:
                found.append(Figure(share, SHARE, text=" ".join(words[start:i])))
            continue
        scale = _ABBREVIATED.get(words[i].lower().rstrip(".")) if i < len(words) else None
        if scale is not None:
            value *= scale
            i += 1
        unit = _unit(words, i)
        if unit is None:
            continue
        name, kind, used = unit
        if name == YEAR and value >= 1900:
            continue  # «2022 года» is a date
        found.append(Figure(value, name, kind, " ".join(words[start : i + used])))
        i += used
    return found


def _number(words: list[str], i: int) -> tuple[Fraction | None, int]:
    """A number at words[i] in digits («7», «0,5», «600 000») or words («двухсот пятидесяти
    тысяч»), with a multiplier word after it («300 тысяч», «2 миллиона»): (value, next index)."""
    total = Fraction(0)
    current: Fraction | None = None
    seen = False
    while i < len(words):
        token = words[i]
        digits = _digits(token)
        base = lemma(token.lower()) if digits is None else ""
        if digits is not None and current is None:
            current = digits
        elif base in _CARDINALS and (current is None or _CARDINALS[base] < current):
            current = (current or Fraction(0)) + _CARDINALS[base]
        elif base in _MULTIPLIERS and (current is not None or not seen):
            total += (current if current is not None else 1) * _MULTIPLIERS[base]
            current = None
        else:
            break
        seen = True
        i += 1
    if not seen:
        return None, i
    return total + (current or 0), i


def _matches(figure: Figure, law: list[Figure]) -> bool:
    return any(
        f.value == figure.value
        and f.unit == figure.unit
        and (figure.unit != DAY or (f.kind == WORKING) == (figure.kind == WORKING))
        for f in law
    )


def _kind_differs(figure: Figure, law: list[Figure]) -> bool:
    return figure.unit == DAY and any(
        f.value == figure.value
        and f.unit == DAY
        and (f.kind == WORKING) != (figure.kind == WORKING)
        for f in law
    )


@dataclass(frozen=True, slots=True)
class FigureProblem:
    path: str
    line: int
    figure: Figure
    cited: tuple[str, ...]
    working_vs_calendar: bool
    # the units were cited in the figure's sentence (False: the article's `laws` list)
    in_sentence: bool = True

    def __str__(self) -> str:
        where = ", ".join(self.cited)
        if not self.in_sentence:
            where = f"any unit the article's laws list ({where})"
        if self.working_vs_calendar:
            why = f"«{self.figure}»: {where} {LAW} counts these days the other way"
            why += " (working vs calendar)"
        else:
            why = f"«{self.figure}» is not in the text of {where} {LAW}"
        return f"{self.path}:{self.line}: {why}"


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A figure that cites no unit of 44-ФЗ, or stands beside another source that may be its."""

    path: str
    line: int
    figure: Figure


@cache
def _law_figures(article: Number, part: Number | None) -> tuple[Figure, ...]:
    """The figures of a unit of 44-ФЗ in force (a part with its items, or a whole article),
    read once per process: many sentences cite the same part."""
    law = law_44()
    if law.status(article, part) is not Status.IN_FORCE:
        return ()
    return tuple(figures(law.articles[article].text(part)))


@dataclass(frozen=True, slots=True)
class _Sentence:
    line: int
    text: str
    example: bool  # in a worked example («*Пример:* …» starts its paragraph)
    heading: str  # the section's heading («### По 44-ФЗ (ч. 5 ст. 42)»), "" before any


def _sentences_of(text: str, body_start: int) -> Iterator[_Sentence]:
    """The sentences of an article file's body with their section heading."""
    first_line = text.count("\n", 0, body_start) + 1
    heading = ""
    for block in body_blocks(text[body_start:].split("\n")):
        start = block[0][1]
        if start.startswith("#"):
            heading = start
        example = _EXAMPLE_RE.match(start.lstrip("*_ -")) is not None
        for line_index, sentence in sentences(block):
            yield _Sentence(first_line + line_index, sentence, example, heading)


def _units(sentence: str, applies_to: str) -> list[Citation]:
    return [c for c in find_citations(sentence) if citation_law(c, sentence, applies_to) == LAW]


@dataclass
class FigureReport:
    problems: list[FigureProblem] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    checked: int = 0  # figures compared with the law's text (the problems among them)

    def add(self, other: FigureReport) -> None:
        self.problems += other.problems
        self.unchecked += other.unchecked
        self.checked += other.checked


def check_figures(text: str, path: str) -> FigureReport:
    """Figures of an article file that the 44-ФЗ units cited in their sentence do not state
    (or, in a sentence that cites none, no unit the article's `laws` cite, for an article on
    44-ФЗ alone), and the figures that could not be checked: no 44-ФЗ unit cited, or another
    source named beside the citation. Worked examples and old rules named as such are skipped."""
    report = FigureReport()
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    fields = front_fields(text)
    if fields is None:
        return report  # the loader reports the broken front matter
    _front, data, body_start = fields
    applies_to = str(data.get("applies_to") or "")
    listed = _listed_citations(data)
    for sentence in _sentences_of(text, body_start):
        said = sentence.text
        stated = figures(said)
        if not stated or sentence.example or _EXAMPLE_RE.search(said):
            continue
        if OLD_RULE_RE.search(said) or _OLD_FIGURE_RE.search(said):
            continue
        other = _OTHER_SOURCE_RE.search(said) is not None
        # cited in the sentence, else in its section's heading, else in `laws` (44-ФЗ only)
        cited = _units(said, applies_to) or ([] if other else _units(sentence.heading, applies_to))
        if not cited and (other or not listed):
            report.unchecked.extend(Unchecked(path, sentence.line, f) for f in stated)
            continue
        units = cited or listed
        in_law = [f for c in units for f in _law_figures(c.article, c.part)]
        names = tuple(dict.fromkeys(_name(c) for c in units))
        for figure in stated:
            if _matches(figure, in_law):
                report.checked += 1
            elif other:
                # «3 месяца (ч. 4 ст. 198 АПК РФ)», «по 223-ФЗ — 5 %»: the other source's
                report.unchecked.append(Unchecked(path, sentence.line, figure))
            else:
                report.checked += 1
                kind = _kind_differs(figure, in_law)
                report.problems.append(
                    FigureProblem(path, sentence.line, figure, names, kind, bool(cited))
                )
    return report


def _listed_citations(data: dict[str, Any]) -> list[Citation]:
    """The 44-ФЗ units of an article's `laws`, when the article is on 44-ФЗ alone and lists
    nothing else (a figure may come from any other source it lists)."""
    if data.get("applies_to") != LAW:
        return []
    laws = data.get("laws")
    entries = laws if isinstance(laws, list) else [laws] if isinstance(laws, str) else []
    units = [find_citations(str(entry)) for entry in entries]
    if not all(found and all(c.law == LAW for c in found) for found in units):
        return []
    return [c for found in units for c in found]


def _name(citation: Citation) -> str:
    if citation.part is None:
        return f"ст. {show(citation.article)}"
    return f"ч. {show(citation.part)} ст. {show(citation.article)}"


def check_directory(articles_dir: Path) -> FigureReport:
    """check_figures over every article file under `articles_dir`."""
    report = FigureReport()
    for path in sorted(articles_dir.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        report.add(check_figures(text, str(path)))
    return report
