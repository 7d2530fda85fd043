"""The `article_versions` table: the current head of every article, a new version, the
history of one article and its current text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import BadInput, NotFound, Refused
from knowledge.loader import Problem
from models import ArticleVersion


class ArticlesRejected(BadInput):
    """Validation failed; `problems` holds every failure, `detail` one per line."""

    def __init__(self, detail: str, problems: Sequence[Problem]) -> None:
        super().__init__(detail)
        self.problems = tuple(problems)


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


async def current_heads(session: AsyncSession) -> dict[str, ArticleVersion]:
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


async def commit_or_refuse(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Refused(
            "Базу знаний только что изменил кто-то другой. Повторите, пожалуйста."
        ) from None


def rejected(problems: Sequence[Problem], *, upload: bool) -> ArticlesRejected:
    if upload:
        ordered = sorted(problems, key=lambda p: p.line)
        return ArticlesRejected("\n".join(f"line {p.line}: {p.reason}" for p in ordered), ordered)
    return ArticlesRejected("\n".join(str(p) for p in problems), problems)


def new_version(
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
