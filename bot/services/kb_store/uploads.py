"""An uploaded article: decoded, checked against the stored set (off the event loop, with a
time limit), published as the next version or rolled back to an earlier one."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import BadInput, NotFound
from bot.services.kb_store.versions import (
    commit_or_refuse,
    current_heads,
    new_version,
    rejected,
)
from knowledge.citations import enforced_citation_problems
from knowledge.figures import FigureProblem, check_figures
from knowledge.loader import FRONT_RE, Article, Problem, load_yaml, parse_article
from models import ArticleVersion

UPLOAD = "<upload>"
MAX_UPLOAD_BYTES = 64 * 1024  # a 400-word article with its front matter is under 10 KB
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "архив или документ Word (.docx)"),
    (b"\xd0\xcf\x11\xe0", "документ Word (.doc)"),
    (b"{\\rtf", "документ RTF"),
)


@dataclass(frozen=True, slots=True)
class PublishResult:
    article: Article  # `path` is relative: <section>/<id>.md
    version: int  # the current version after the call
    changed: bool  # False: the text equals the current version, nothing was stored


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
        raise rejected([Problem(UPLOAD, 1, "contains NUL characters")], upload=True)
    result = parse_article(text, UPLOAD, today=today)
    problems = [*result.problems, *_database_problems(text, heads, path)]
    if result.article is not None:
        problems.extend(enforced_citation_problems(text, UPLOAD))
    if problems or result.article is None:
        raise rejected(problems, upload=True)
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
    session.add(new_version(article.id, version, article.path, text, author, now, comment))
    await commit_or_refuse(session)
    return PublishResult(article, version, changed=True)


async def validate_upload(
    session: AsyncSession, text: str, *, today: date | None = None
) -> Article:
    """The checks of `publish` without storing (for a preview); `today` defaults to the
    system date, as in `smebot kb check`. Raises ArticlesRejected (a BadInput)."""
    return await _check_off_loop(text, await current_heads(session), today or date.today())  # noqa: DTZ011  (system date, as `smebot kb check`)


async def figure_problems(text: str) -> list[FigureProblem]:
    """Figures of an uploaded article that the 44-ФЗ part they cite does not state (a
    reviewer's warning in the preview, not a refusal: knowledge.figures)."""
    report = await asyncio.to_thread(check_figures, text, UPLOAD)
    return report.problems


async def publish(
    session: AsyncSession, text: str, author: str, now: datetime, *, comment: str = ""
) -> PublishResult:
    """Validate an uploaded article and store it as the next version of its id.

    `now` is aware; its own date is "today" for the `updated` check, so pass it in the bot's
    time zone. Invalid text raises ArticlesRejected (a BadInput) whose detail lists every
    problem as `line N: reason`; nothing is stored. A text equal to the current version
    stores nothing (`changed=False`)."""
    heads = await current_heads(session)
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
    heads = await current_heads(session)
    article = _check(row.text, heads, None, path=row.path)
    if article.id != article_id:  # pragma: no cover - ids are stored from the text itself
        raise BadInput("Текст версии относится к другой статье.")
    return await _store(session, heads, article, row.text, author, now, f"откат к версии {version}")
