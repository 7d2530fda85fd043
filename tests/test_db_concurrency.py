"""SQLite under concurrent writers: a unit of work that reads, then writes, while another
connection commits in between, must wait for the lock rather than fail (it failed with
«database is locked» at once: user registration and imports broke while the bot was busy)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select, text

from bot.db import create_engine, create_sessionmaker, upgrade
from models import User


async def test_read_then_write_survives_a_concurrent_writer(tmp_path: Path) -> None:
    """The importer's pattern: a savepoint, reads, then writes, while a user registers."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/busy.db")
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    insert = text(
        "INSERT INTO users (id, first_name, timezone, region, created_at, last_seen_at,"
        " is_active, news) VALUES (:id, 'Иван', 'UTC', '74', '2026-11-30', '2026-11-30', 1, 0)"
    )

    async def register(user_id: int) -> None:
        async with sessionmaker() as other:
            await other.execute(insert, {"id": user_id})
            await other.commit()

    try:
        async with sessionmaker() as importer:
            async with importer.begin_nested():
                assert (await importer.execute(select(func.count(User.id)))).scalar_one() == 0
                meanwhile = asyncio.create_task(register(1))
                await asyncio.sleep(0.5)  # the other writer commits now, or waits for us
                await importer.execute(insert, {"id": 2})
            await importer.commit()
        await meanwhile
        async with sessionmaker() as check:
            assert (await check.execute(select(func.count(User.id)))).scalar_one() == 2
    finally:
        await engine.dispose()
