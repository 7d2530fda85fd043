"""Articles between the database and a knowledge directory: sync from files, export to
files byte for byte, and the parsed current articles the bot loads."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kb_store.versions import (
    commit_or_refuse,
    current_heads,
    new_version,
    rejected,
)
from knowledge.citations import enforced_citation_problems
from knowledge.loader import Article, Problem, article_files, check_collection, parse_article

log = logging.getLogger("smebot.kb_store")

SYNC_AUTHOR = "sync"


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


def _path_key(path: str) -> tuple[str, ...]:
    """Sort like `article_files` sorts Paths: by components, not by the joined string."""
    return PurePosixPath(path).parts


def _safe_relative(path: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if not rel.parts or rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"unsafe article path {path!r}")
    return rel


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
        raise rejected(problems, upload=False)
    heads = await current_heads(session)
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
        session.add(new_version(art_id, version, file.path, file.text, author, now, comment))
    present = {f.article.id for f in files}
    deleted: list[str] = []
    for art_id, head in sorted(heads.items()):
        if art_id in present or head.is_deleted:
            continue
        deleted.append(art_id)
        session.add(
            new_version(
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
    await commit_or_refuse(session)
    return SyncSummary(tuple(created), tuple(updated), unchanged, tuple(deleted))


async def export_to_dir(session: AsyncSession, directory: Path) -> int:
    """Write the current text of every live article to `directory/articles/<path>`.

    Bytes are exactly the stored text in UTF-8; nothing else is written and no file is
    removed. Returns the number of files written."""
    rows = [row for row in (await current_heads(session)).values() if not row.is_deleted]
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
    rows = [row for row in (await current_heads(session)).values() if not row.is_deleted]
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
