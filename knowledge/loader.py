"""Parse and validate knowledge-base articles (Markdown with YAML front matter)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge.markdown import markdown_problems, plain_length, split_html, to_telegram_html

SECTIONS: dict[str, str] = {
    "start": "Начало работы",
    "smp": "Закупки у СМП",
    "methods": "Способы закупок",
    "application": "Заявка",
    "security": "Обеспечение",
    "guarantee": "Банковская гарантия",
    "contract": "Контракт",
    "execution": "Исполнение, приёмка и оплата",
    "protection": "Защита прав",
    "national": "Национальный режим",
    "support": "Поддержка МСП",
    "about": "Про бота",
}
APPLIES_TO = ("44-ФЗ", "223-ФЗ", "both")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CITATION_RE = re.compile(
    r"(\d+-ФЗ|\bПП\b.*\d|[Пп]остановлени|АПК|ГК РФ|БК РФ|КоАП|НК РФ|[Пп]риказ|[Рр]аспоряжени)"
)
MIN_WORDS, MAX_WORDS = 80, 400
FRONT_RE = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
REQUIRED = (
    "id",
    "title",
    "section",
    "questions",
    "tags",
    "laws",
    "applies_to",
    "updated",
    "reviewed_by",
)


OPTIONAL = ("phrasings", "related", "announce", "valid_from", "valid_until", "sources")
# More ways owners put the question (stories, slang, abbreviations, English): searched, never
# shown. At most MAX_PHRASINGS of at most MAX_PHRASING characters each.
MAX_PHRASINGS, MAX_PHRASING = 30, 400


MAX_YAML = 64 * 1024  # characters of front matter; real articles use about 2,000


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is a problem, not a crash, and
    refuses anchors and aliases (a few hundred bytes of nested aliases expand to gigabytes)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "YAML anchors and aliases (&, *) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


_Base: Any = getattr(yaml, "CSafeLoader", _Loader)


class _FastLoader(_Base):  # type: ignore[misc]
    """The same rules with libyaml, about ten times faster (the articles' phrasings made
    front matter the larger part of loading the base): aliases and anchors are refused in
    a first pass over the events, before anything is built."""


for _cls in (_Loader, _FastLoader):
    _cls.yaml_implicit_resolvers = {
        first: [(t, regexp) for t, regexp in resolvers if t != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def load_yaml(text: str) -> Any:
    if len(text) > MAX_YAML:
        raise yaml.YAMLError(f"front matter longer than {MAX_YAML // 1024} KB")
    if _Base is _Loader:  # no libyaml: the pure-Python loader does it all
        return yaml.load(text, Loader=_Loader)
    try:
        for event in yaml.parse(text, Loader=_FastLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise yaml.YAMLError("anchor or alias")
        return yaml.load(text, Loader=_FastLoader)
    except yaml.YAMLError:
        # the pure-Python loader says what is wrong in its own words and marks (the same
        # messages as before libyaml was used)
        return yaml.load(text, Loader=_Loader)


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    section: str
    questions: tuple[str, ...]
    tags: tuple[str, ...]
    laws: tuple[str, ...]
    applies_to: str
    updated: date
    reviewed_by: str
    body: str
    related: tuple[str, ...] = ()
    announce: bool = False
    valid_from: date | None = None
    valid_until: date | None = None
    sources: tuple[str, ...] = ()
    phrasings: tuple[str, ...] = ()
    path: str = ""

    @property
    def section_title(self) -> str:
        return SECTIONS.get(self.section, self.section)

    @property
    def html(self) -> str:
        return to_telegram_html(self.body)


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation failure, printed as `file:line: reason`."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class ParseResult:
    article: Article | None
    problems: list[Problem] = field(default_factory=list)


class ArticleError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _key_line(front: str, key: str) -> int:
    for number, line in enumerate(front.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 1


def _value_line(front: str, key: str, value: str) -> int:
    start = _key_line(front, key)
    for number, line in enumerate(front.splitlines(), start=2):
        if number >= start and value in line:
            return number
    return start


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(str(v).strip() for v in value)
    return None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def word_count(text: str) -> int:
    return len(re.findall(r"[\w\d]+(?:[-'][\w\d]+)*", text))


def parse_article(text: str, path: str = "<upload>", *, today: date | None = None) -> ParseResult:  # noqa: C901  (collects every problem of an article in one pass)
    """Parse one article; collect every problem instead of stopping at the first."""
    problems: list[Problem] = []

    def problem(line: int, reason: str) -> None:
        problems.append(Problem(path, line, reason))

    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    match = FRONT_RE.match(text)
    if match is None:
        problem(1, "no YAML front matter: the file must start with '---', the fields, and '---'")
        return ParseResult(None, problems)
    front, body = match.group(1), text[match.end() :].strip()
    body_line = front.count("\n") + 3
    try:
        data = load_yaml(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        problem(line, f"invalid YAML: {getattr(exc, 'problem', None) or exc}")
        return ParseResult(None, problems)
    if not isinstance(data, dict):
        problem(2, "front matter must be a mapping of fields")
        return ParseResult(None, problems)

    for key in REQUIRED:
        if data.get(key) in (None, "", []):
            problem(_key_line(front, key), f"missing required field '{key}'")
    unknown = set(data) - {*REQUIRED, *OPTIONAL}
    for key in sorted(unknown):
        problem(_key_line(front, key), f"unknown field '{key}'")

    art_id = str(data.get("id") or "")
    if len(art_id) > 40:
        problem(_key_line(front, "id"), f"id '{art_id}' is longer than 40 characters")
    if art_id and not ID_RE.match(art_id):
        problem(_key_line(front, "id"), f"id '{art_id}' must be a slug of a-z, 0-9 and '-'")
    stem = Path(path).stem
    if art_id and path.endswith(".md") and stem != art_id:
        problem(_key_line(front, "id"), f"id '{art_id}' differs from the file name '{stem}.md'")
    section = str(data.get("section") or "")
    if section and section not in SECTIONS:
        problem(
            _key_line(front, "section"),
            f"unknown section '{section}' (one of {', '.join(SECTIONS)})",
        )
    parent = Path(path).parent.name
    if section and path.endswith(".md") and parent in SECTIONS and parent != section:
        problem(
            _key_line(front, "section"),
            f"section '{section}' differs from the directory '{parent}'",
        )

    title = str(data.get("title") or "").strip()
    if len(title) > 200:
        problem(_key_line(front, "title"), "title is longer than 200 characters")
    questions = _strings(data.get("questions")) or ()
    if data.get("questions") is not None and not 3 <= len(questions) <= 8:
        problem(_key_line(front, "questions"), f"questions: expected 3–8, found {len(questions)}")
    phrasings = _strings(data.get("phrasings") or []) or ()
    if len(phrasings) > MAX_PHRASINGS:
        problem(
            _key_line(front, "phrasings"),
            f"phrasings: at most {MAX_PHRASINGS}, found {len(phrasings)}",
        )
    for text_ in phrasings:
        if len(text_) > MAX_PHRASING:
            problem(
                _value_line(front, "phrasings", text_),
                f"a phrasing is longer than {MAX_PHRASING} characters",
            )
    tags = _strings(data.get("tags") or []) or ()
    laws = _strings(data.get("laws")) or ()
    for law in laws:
        if not CITATION_RE.search(law):
            problem(
                _value_line(front, "laws", law),
                f"'{law}' is not a citation (e.g. «ч. 8 ст. 30 44-ФЗ»)",
            )
    applies_to = str(data.get("applies_to") or "")
    if applies_to and applies_to not in APPLIES_TO:
        problem(
            _key_line(front, "applies_to"), f"applies_to must be one of {', '.join(APPLIES_TO)}"
        )

    dates: dict[str, date | None] = {}
    for key in ("updated", "valid_from", "valid_until"):
        raw = data.get(key)
        dates[key] = _date(raw)
        if raw not in (None, "") and dates[key] is None:
            problem(_key_line(front, key), f"{key}: '{raw}' is not a date (YYYY-MM-DD)")
    updated = dates["updated"]
    if updated and today and updated > today:
        problem(_key_line(front, "updated"), f"updated {updated} is in the future")
    vf, vu = dates["valid_from"], dates["valid_until"]
    if vf and vu and vf > vu:
        problem(_key_line(front, "valid_from"), "valid_from is after valid_until")

    related = _strings(data.get("related") or []) or ()
    if art_id in related:
        problem(_key_line(front, "related"), "an article cannot be related to itself")
    announce = data.get("announce", False)
    if not isinstance(announce, bool):
        problem(_key_line(front, "announce"), "announce must be true or false")
    sources = _strings(data.get("sources") or []) or ()

    words = word_count(body)
    if not MIN_WORDS <= words <= MAX_WORDS:
        problem(body_line, f"body has {words} words; expected {MIN_WORDS}–{MAX_WORDS}")
    # What Telegram would reject, at the file line its Markdown comes from.
    rest = text[match.end() :]
    first = text.count("\n", 0, match.end() + len(rest) - len(rest.lstrip())) + 1
    for offset, reason in markdown_problems(body):
        problem(first + offset - 1, f"Telegram would reject this: {reason}")
    try:
        html = to_telegram_html(body)
        if any(plain_length(chunk) > 4096 for chunk in split_html(html, 3800)):
            problem(body_line, "body does not fit Telegram's message limits")
    except ValueError as exc:
        problem(body_line, f"body does not render to Telegram HTML: {exc}")
    if "<" in body and re.search(r"</?[a-zA-Z][^>]*>", body):
        problem(body_line, "HTML tags are not allowed in the body; use Markdown")

    if problems:
        return ParseResult(None, problems)
    assert updated is not None
    return ParseResult(
        Article(
            id=art_id,
            title=title,
            section=section,
            questions=questions,
            tags=tuple(t.lower() for t in tags),
            laws=laws,
            applies_to=applies_to,
            updated=updated,
            reviewed_by=str(data["reviewed_by"]),
            body=body,
            related=related,
            announce=bool(announce),
            valid_from=vf,
            valid_until=vu,
            sources=sources,
            phrasings=phrasings,
            path=path,
        )
    )


def article_files(directory: Path) -> Iterator[Path]:
    yield from sorted((directory / "articles").glob("*/*.md"))


def check_collection(articles: Iterable[Article]) -> list[Problem]:
    """Rules across articles: unique ids and resolvable `related`."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    items = list(articles)
    for art in items:
        if art.id in seen:
            problems.append(
                Problem(art.path, 2, f"duplicate id '{art.id}' (also in {seen[art.id]})")
            )
        seen.setdefault(art.id, art.path)
    for art in items:
        for rel in art.related:
            if rel not in seen:
                problems.append(Problem(art.path, 2, f"related id '{rel}' does not exist"))
    return problems


def load_directory(
    directory: Path, *, today: date | None = None, citations: bool = False
) -> tuple[list[Article], list[Problem]]:
    """Load every article under `directory/articles`; return articles and all problems.

    `citations=True` (`smebot kb check`) also checks the articles' citations of 44-ФЗ against
    the law's text (knowledge.citations; reported as `CitationProblem`s). The bot's own loading
    leaves it off and never parses the law."""
    if citations:
        from knowledge.citations import citation_problems  # imports this module
    articles: list[Article] = []
    problems: list[Problem] = []
    for file in article_files(directory):
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(str(file), 1, "not UTF-8 text"))
            continue
        result = parse_article(text, str(file), today=today)
        problems.extend(result.problems)
        if result.article is not None:
            articles.append(result.article)
            if citations:
                problems.extend(citation_problems(text, str(file)))
    problems.extend(check_collection(articles))
    return articles, problems


def load_articles(directory: Path) -> list[Article]:
    """Load and validate; raise ArticleError listing every problem."""
    articles, problems = load_directory(directory)
    if problems:
        raise ArticleError(problems)
    return articles
