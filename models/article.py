"""Knowledge-base articles stored as versions: one row per saved state of an article.

An article's current state is its highest version; a version with `is_deleted` set means
the article was removed (its text is empty). Versions are never updated or deleted, so
the table is the full history: rollback adds a new version with an old text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class ArticleVersion(Base):
    __tablename__ = "article_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … per article
    path: Mapped[str] = mapped_column(String(300))  # relative to articles/: smp/smp-share-44.md
    text: Mapped[str] = mapped_column(Text)  # the exact file content ("" for a deletion)
    author: Mapped[str] = mapped_column(String(128))  # sync | tg:12345
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(String(200), default="")
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    # The unique index also serves every lookup by article_id (its leading column).
    __table_args__ = (UniqueConstraint("article_id", "version"),)
