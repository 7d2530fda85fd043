"""The migrated schema equals the models, and migrations go down and up again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import downgrade, upgrade
from models import Base


def _not_fts(_obj: Any, name: str | None, _type: str, _reflected: bool, _compare_to: Any) -> bool:
    """Full-text search objects are created by raw SQL in migrations 0003 and 0009, not by
    models."""
    fts = ("procedures_fts", "ix_procedures_fts", "search_vector", "ix_procedures_search_vector")
    return not (name or "").startswith(fts)


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _not_fts}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_equals_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_downgrade_to_base_and_up_again(engine: AsyncEngine) -> None:
    await downgrade(engine, "base")
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert set(tables) <= {"alembic_version"}, tables
    await upgrade(engine)
    async with engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_migration_0007_fills_the_cells_the_importer_keeps(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """The statistics cells migration 0007 fills from rows imported before it (its frozen
    SQL) equal the cells the importer of today keeps for the same rows."""
    from tests.support.demo import load_demo
    from tests.support.stats import cells_snapshot

    await load_demo(sessionmaker, tmp_path, count=40)
    async with sessionmaker() as session:
        kept = await cells_snapshot(session)
    assert kept["stat_procedures"] and kept["stat_contracts"]
    await downgrade(engine, "0006")  # the cell tables are gone, the rows stay
    await upgrade(engine)
    async with sessionmaker() as session:
        assert await cells_snapshot(session) == kept
