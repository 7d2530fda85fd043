"""Knowledge-base articles in the database: versions, sync from files, export, publishing.

Every saved state of an article is a row of `article_versions`; the current state is the
highest version of each article id, and a version with `is_deleted` removes the article.
The stored text is the file exactly as it was read (BOM, CRLF and final newline kept), so
`sync_from_dir` followed by `export_to_dir` reproduces the files byte for byte.

Paths are relative to the `articles/` directory of a knowledge directory
(`security/security-bid-size-44.md`); `export_to_dir(DIR)` writes `DIR/articles/<path>`, so
an export is itself a knowledge directory that `smebot kb check/sync --dir DIR` accepts.

Validation is the one of `smebot kb check` (knowledge.loader, and knowledge.citations once its
ENFORCE_CITATIONS switch is on), run against the current database set: an upload's `related`
ids must name current articles, and its id is its identity — an upload with the id of a
current article is a new version of that article, and is refused when it would put it in
another section (another path).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import BadInput, NotFound, Refused
from knowledge.citations import enforced_citation_problems
from knowledge.loader import (
    FRONT_RE,
    Article,
    Problem,
    article_files,
    check_collection,
    load_yaml,
    parse_article,
)
from models import ArticleVersion

log = logging.getLogger("smebot.kb_store")

SYNC_AUTHOR = "sync"
UPLOAD = "<upload>"
MAX_UPLOAD_BYTES = 64 * 1024  # a 400-word article with its front matter is under 10 KB
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "архив или документ Word (.docx)"),
    (b"\xd0\xcf\x11\xe0", "документ Word (.doc)"),
    (b"{\\rtf", "документ RTF"),
)


class ArticlesRejected(BadInput):
    """Validation failed; `problems` holds every failure, `detail` one per line."""

    def __init__(self, detail: str, problems: Sequence[Problem]) -> None:
        super().__init__(detail)
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class SyncSummary:
    created: tuple[str, ...]  # ids new to the database (or back after a deletion)
    updated: tuple[str, ...]  # ids whose file differs from the current version
    unchanged: int
    deleted: tuple[str, ...]  # ids in the database but no longer in the directory

    @property
    def added(self) -> int:
        """Versions added for files (new and changed articles)."""
        return len(self.created) + len(self.updated)


@dataclass(frozen=True, slots=True)
class PublishResult:
    article: Article  # `path` is relative: <section>/<id>.md
    version: int  # the current version after the call
    changed: bool  # False: the text equals the current version, nothing was stored


@dataclass(frozen=True, slots=True)
class VersionInfo:
    article_id: str
    version: int
    path: str
    author: str
    created_at: datetime
    comment: str
    is_deleted: bool
    current: bool


# ------------------------------------------------------------------ helpers
async def _current(session: AsyncSession) -> dict[str, ArticleVersion]:
    """The highest version of every article (deletions included), by article id."""
    latest = (
        select(
            ArticleVersion.article_id.label("article_id"),
            func.max(ArticleVersion.version).label("version"),
        )
        .group_by(ArticleVersion.article_id)
        .subquery()
    )
    stmt = select(ArticleVersion).join(
        latest,
        and_(
            ArticleVersion.article_id == latest.c.article_id,
            ArticleVersion.version == latest.c.version,
        ),
    )
    return {row.article_id: row for row in (await session.scalars(stmt)).all()}


async def _commit(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Refused(
            "Базу знаний только что изменил кто-то другой. Повторите, пожалуйста."
        ) from None


def _path_key(path: str) -> tuple[str, ...]:
    """Sort like `article_files` sorts Paths: by components, not by the joined string."""
    return PurePosixPath(path).parts


def _safe_relative(path: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if not rel.parts or rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"unsafe article path {path!r}")
    return rel


def _rejected(problems: Sequence[Problem], *, upload: bool) -> ArticlesRejected:
    if upload:
        ordered = sorted(problems, key=lambda p: p.line)
        return ArticlesRejected("\n".join(f"line {p.line}: {p.reason}" for p in ordered), ordered)
    return ArticlesRejected("\n".join(str(p) for p in problems), problems)


def _new_version(
    article_id: str,
    version: int,
    path: str,
    text: str,
    author: str,
    now: datetime,
    comment: str = "",
    *,
    is_deleted: bool = False,
) -> ArticleVersion:
    return ArticleVersion(
        article_id=article_id,
        version=version,
        path=path,
        text=text,
        author=author[:128],
        created_at=now,
        comment=comment[:200],
        is_deleted=is_deleted,
    )


# ------------------------------------------------------------------ files
@dataclass(frozen=True, slots=True)
class _File:
    article: Article
    path: str  # relative to articles/
    text: str


def _read_directory(directory: Path, today: date) -> tuple[list[_File], list[Problem]]:
    """What `smebot kb check` does, keeping each file's exact text."""
    base = directory / "articles"
    files: list[_File] = []
    problems: list[Problem] = []
    for file in article_files(directory):
        try:
            text = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(str(file), 1, "not UTF-8 text"))
            continue
        if "\x00" in text:
            problems.append(Problem(str(file), 1, "contains NUL characters"))
            continue
        result = parse_article(text, str(file), today=today)
        problems.extend(result.problems)
        if result.article is not None:
            problems.extend(enforced_citation_problems(text, str(file)))
            rel = file.relative_to(base).as_posix()
            files.append(_File(dataclasses.replace(result.article, path=rel), rel, text))
    if not files and not problems:
        problems.append(Problem(str(base), 1, "no article files (<section>/<id>.md)"))
    # check_collection reports with the article's path: give it the full file name back
    problems.extend(
        check_collection(dataclasses.replace(f.article, path=str(base / f.path)) for f in files)
    )
    return files, problems


async def sync_from_dir(
    session: AsyncSession, directory: Path, *, now: datetime, author: str = SYNC_AUTHOR
) -> SyncSummary:
    """Make the database equal the article files of `directory` (a knowledge directory).

    All files are validated first, as `smebot kb check` does (the date check uses
    `now.date()`); any problem refuses the whole sync with `ArticlesRejected` and nothing
    is stored. A file whose text or path differs from the current version adds a version;
    an unchanged file adds nothing; an article absent from the directory gets a deletion
    version (its history stays, `rollback` brings it back)."""
    files, problems = _read_directory(directory, now.date())
    if problems:
        raise _rejected(problems, upload=False)
    heads = await _current(session)
    created: list[str] = []
    updated: list[str] = []
    unchanged = 0
    for file in files:
        art_id = file.article.id
        head = heads.get(art_id)
        if head is None or head.is_deleted:
            created.append(art_id)
            comment = "новая статья из файлов"
        elif head.text != file.text or head.path != file.path:
            updated.append(art_id)
            comment = "изменена в файлах"
        else:
            unchanged += 1
            continue
        version = head.version + 1 if head is not None else 1
        session.add(_new_version(art_id, version, file.path, file.text, author, now, comment))
    present = {f.article.id for f in files}
    deleted: list[str] = []
    for art_id, head in sorted(heads.items()):
        if art_id in present or head.is_deleted:
            continue
        deleted.append(art_id)
        session.add(
            _new_version(
                art_id,
                head.version + 1,
                head.path,
                "",
                author,
                now,
                "файла нет: удалена при синхронизации",
                is_deleted=True,
            )
        )
    await _commit(session)
    return SyncSummary(tuple(created), tuple(updated), unchanged, tuple(deleted))


async def export_to_dir(session: AsyncSession, directory: Path) -> int:
    """Write the current text of every live article to `directory/articles/<path>`.

    Bytes are exactly the stored text in UTF-8; nothing else is written and no file is
    removed. Returns the number of files written."""
    rows = [row for row in (await _current(session)).values() if not row.is_deleted]
    base = directory / "articles"
    for row in sorted(rows, key=lambda r: _path_key(r.path)):
        target = base / _safe_relative(row.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(row.text.encode("utf-8"))
    return len(rows)


async def load_articles_from_db(session: AsyncSession) -> list[Article]:
    """Current versions of live articles, parsed, in the order `load_articles` gives.

    A stored text that no longer parses (rules changed since it was stored) is skipped with
    a warning rather than stopping the bot."""
    articles: list[Article] = []
    rows = [row for row in (await _current(session)).values() if not row.is_deleted]
    for row in sorted(rows, key=lambda r: _path_key(r.path)):
        result = parse_article(row.text, row.path)
        if result.article is None:
            log.warning(
                "article %s v%d is invalid and skipped: %s",
                row.article_id,
                row.version,
                "; ".join(str(p) for p in result.problems),
            )
            continue
        articles.append(result.article)
    return articles


# ------------------------------------------------------------------ uploads
def decode_upload(data: bytes) -> str:
    """Text of an uploaded article: UTF-8 with or without BOM; the BOM is dropped and CRLF
    becomes LF (the article format). Anything else is refused with a Russian BadInput."""
    hint = "Пришлите статью файлом Markdown (.md) в кодировке UTF-8."
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadInput(
            f"Файл слишком большой: {len(data) // 1024} КБ, а статья должна занимать "
            f"не больше {MAX_UPLOAD_BYTES // 1024} КБ. {hint}"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadInput(f"Файл в кодировке UTF-16. {hint}")
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise BadInput(f"Это не текстовый файл, а {kind}. {hint}")
    if b"\x00" in data:
        raise BadInput(f"Это не текстовый файл. {hint}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(
            "Файл не в кодировке UTF-8 (возможно, Windows-1251). "
            "Сохраните его как UTF-8 и пришлите снова."
        ) from None
    if not text.strip():
        raise BadInput(f"Файл пустой. {hint}")
    return text.replace("\r\n", "\n")


def _key_line(front: str, key: str) -> int:
    for number, line in enumerate(front.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 1


def _front(text: str) -> tuple[str, dict[str, Any]]:
    """The raw front matter and its fields, or ("", {}) when it does not parse."""
    match = FRONT_RE.match(text.removeprefix("\ufeff").replace("\r\n", "\n"))
    if match is None:
        return "", {}
    try:
        data = load_yaml(match.group(1))
    except yaml.YAMLError:
        return match.group(1), {}
    return match.group(1), data if isinstance(data, dict) else {}


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, str | int | float)]
    return []


def _database_problems(
    text: str, heads: dict[str, ArticleVersion], path: str | None
) -> list[Problem]:
    """Rules against the stored set: the id keeps its path; `related` ids exist.

    Read from the raw front matter, so they are reported even when other fields are bad."""
    front, data = _front(text)
    problems: list[Problem] = []
    art_id = str(data.get("id") or "")
    section = str(data.get("section") or "")
    head = heads.get(art_id)
    wanted = path or f"{section}/{art_id}.md"
    if head is not None and not head.is_deleted and section and head.path != wanted:
        old_section = PurePosixPath(head.path).parent.as_posix()
        problems.append(
            Problem(
                UPLOAD,
                _key_line(front, "id"),
                f"id '{art_id}' already belongs to the article {head.path}: "
                f"keep section '{old_section}' or choose another id",
            )
        )
    live = {key for key, row in heads.items() if not row.is_deleted}
    for rel in _texts(data.get("related") or []):
        if rel and rel != art_id and rel not in live:
            problems.append(
                Problem(UPLOAD, _key_line(front, "related"), f"related id '{rel}' does not exist")
            )
    return problems


def _check(
    text: str, heads: dict[str, ArticleVersion], today: date | None, path: str | None = None
) -> Article:
    """Validate one article text; return it with its relative path or raise every problem."""
    if "\x00" in text:
        raise _rejected([Problem(UPLOAD, 1, "contains NUL characters")], upload=True)
    result = parse_article(text, UPLOAD, today=today)
    problems = [*result.problems, *_database_problems(text, heads, path)]
    if result.article is not None:
        problems.extend(enforced_citation_problems(text, UPLOAD))
    if problems or result.article is None:
        raise _rejected(problems, upload=True)
    article = result.article
    return dataclasses.replace(article, path=path or f"{article.section}/{article.id}.md")


CHECK_SECONDS = 10.0  # an article checks in milliseconds; anything slower is hostile


async def _check_off_loop(
    text: str, heads: dict[str, ArticleVersion], today: date | None, path: str | None = None
) -> Article:
    """`_check` in a worker thread, so a slow text never stalls the bot, and at most
    CHECK_SECONDS long (front matter is bounded in size and refuses YAML aliases, so this is
    the last line of defence)."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_check, text, heads, today, path), CHECK_SECONDS
        )
    except TimeoutError:
        raise BadInput(
            "Статью не удалось проверить: разбор занял слишком много времени. "
            "Проверьте заголовок статьи (front matter) и пришлите файл снова."
        ) from None


async def _store(
    session: AsyncSession,
    heads: dict[str, ArticleVersion],
    article: Article,
    text: str,
    author: str,
    now: datetime,
    comment: str,
) -> PublishResult:
    head = heads.get(article.id)
    if head is not None and not head.is_deleted and head.text == text:
        return PublishResult(article, head.version, changed=False)
    version = head.version + 1 if head is not None else 1
    session.add(_new_version(article.id, version, article.path, text, author, now, comment))
    await _commit(session)
    return PublishResult(article, version, changed=True)


async def validate_upload(
    session: AsyncSession, text: str, *, today: date | None = None
) -> Article:
    """The checks of `publish` without storing (for a preview); `today` defaults to the
    system date, as in `smebot kb check`. Raises ArticlesRejected (a BadInput)."""
    return await _check_off_loop(text, await _current(session), today or date.today())


async def publish(
    session: AsyncSession, text: str, author: str, now: datetime, *, comment: str = ""
) -> PublishResult:
    """Validate an uploaded article and store it as the next version of its id.

    `now` is aware; its own date is "today" for the `updated` check, so pass it in the bot's
    time zone. Invalid text raises ArticlesRejected (a BadInput) whose detail lists every
    problem as `line N: reason`; nothing is stored. A text equal to the current version
    stores nothing (`changed=False`)."""
    heads = await _current(session)
    article = await _check_off_loop(text, heads, now.date())
    return await _store(session, heads, article, text, author, now, comment)


async def rollback(
    session: AsyncSession, article_id: str, version: int, author: str, now: datetime
) -> PublishResult:
    """Add a new version whose text (and path) equal those of `version`.

    The old text is validated again against the current set (a `related` article may be
    gone since); its `updated` date is not compared with today."""
    row = await session.scalar(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article_id, ArticleVersion.version == version
        )
    )
    if row is None:
        raise NotFound(f"У статьи {article_id} нет версии {version}.")
    if row.is_deleted:
        raise BadInput(f"Версия {version} — это удаление статьи; выберите версию с текстом.")
    heads = await _current(session)
    article = _check(row.text, heads, None, path=row.path)
    if article.id != article_id:  # pragma: no cover - ids are stored from the text itself
        raise BadInput("Текст версии относится к другой статье.")
    return await _store(session, heads, article, row.text, author, now, f"откат к версии {version}")


async def history(session: AsyncSession, article_id: str) -> list[VersionInfo]:
    """Versions of an article, newest first."""
    rows = (
        await session.execute(
            select(
                ArticleVersion.version,
                ArticleVersion.path,
                ArticleVersion.author,
                ArticleVersion.created_at,
                ArticleVersion.comment,
                ArticleVersion.is_deleted,
            )
            .where(ArticleVersion.article_id == article_id)
            .order_by(ArticleVersion.version.desc())
        )
    ).all()
    if not rows:
        raise NotFound("Статьи с таким id в базе знаний нет.")
    return [
        VersionInfo(
            article_id=article_id,
            version=row.version,
            path=row.path,
            author=row.author,
            created_at=row.created_at,
            comment=row.comment,
            is_deleted=row.is_deleted,
            current=index == 0,
        )
        for index, row in enumerate(rows)
    ]


async def current_text(session: AsyncSession, article_id: str) -> tuple[str, str]:
    """(path, exact text) of the current version, for `/kb_edit`."""
    row = await session.scalar(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.version.desc())
        .limit(1)
    )
    if row is None or row.is_deleted:
        raise NotFound("Статьи с таким id в базе знаний нет.")
    return row.path, row.text
