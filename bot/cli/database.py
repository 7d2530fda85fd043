"""Commands that work on DATABASE_URL: migrate it, run one piece of work, tell the replicas.

The in-function imports keep the heavy knowledge-base modules out of the look-up commands'
start-up (`benchmarks/cli.py`); none of them imports aiogram.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.cli.common import fail
from bot.config import Settings
from bot.db import create_engine, create_sessionmaker, current_revision, upgrade
from bot.roles.notify import STATS, announce


class _Unreachable(Exception):
    """The database could not be connected to (reported in one line, no trace)."""


def run_db(settings: Settings, work: Any) -> Any:
    """Migrate DATABASE_URL, then run `work(sessionmaker)` and dispose of the engine. A
    database that cannot be reached ends the command with one line and exit code 2."""

    async def go() -> Any:
        try:
            engine = create_engine(settings.database_url)
        except OSError as exc:  # SQLite: the file's directory cannot be created
            raise _Unreachable(" ".join(str(exc).split())[:200]) from None
        try:
            try:
                async with engine.connect():
                    pass
            except Exception as exc:
                raise _Unreachable(" ".join(str(exc).split())[:200]) from None
            await upgrade(engine)  # at the head already: no Alembic import, one SELECT
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except _Unreachable as exc:
        raise fail(f"database unreachable: {exc}") from None


def db_revision(settings: Settings) -> str | None:
    """The database's migration revision (None: empty or unreachable)."""

    async def go() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except OSError:
        return None


def announce_stats(settings: Settings) -> None:
    """Running web replicas drop their statistics cache (PostgreSQL; nothing on SQLite)."""
    asyncio.run(announce(settings.database_url, STATS))


def knowledge_from_db(settings: Settings) -> Any:
    """The articles as published in the database (consultants' edits included)."""
    from bot.services.answers import KnowledgeBase
    from bot.services.kb_store.files import load_articles_from_db
    from knowledge.glossary import Glossary

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return await load_articles_from_db(session)

    articles = run_db(settings, work)
    if not articles:
        raise fail("the database has no articles yet: start the bot once or run `smebot kb sync`")
    return KnowledgeBase(articles, Glossary.load(settings.knowledge_dir / "glossary.yaml"))
