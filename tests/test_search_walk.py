"""PostgreSQL: a page of many matches walks the primary key newest first under a short
timeout, and falls back to the planner's own plan (with the user timeout restored) when the
walk gives up."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.procurement import search


@pytest.fixture
def postgres(session: AsyncSession) -> AsyncSession:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the walk and its timeout are PostgreSQL's (set TEST_DATABASE_URL)")
    return session


async def _setting(session: AsyncSession, name: str) -> str:
    return str((await session.execute(text(f"SHOW {name}"))).scalar_one())


async def test_a_walk_that_takes_too_long_falls_back(
    postgres: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "WALK_TIMEOUT_MS", 20)
    await postgres.execute(text(f"SET LOCAL statement_timeout = {search.USER_QUERY_TIMEOUT_MS}"))
    slow: Select[Any] = select(literal_column("7")).select_from(text("pg_sleep(0.2)"))
    runs = []
    execute = postgres.execute

    async def counting(statement: Any, *args: Any, **kwargs: Any) -> Any:
        runs.append(statement is slow)
        return await execute(statement, *args, **kwargs)

    monkeypatch.setattr(postgres, "execute", counting)
    assert await search._walk(postgres, slow) == [7]
    assert runs.count(True) == 2  # cancelled after 20 ms, then run again without the walk
    assert await _setting(postgres, "enable_bitmapscan") == "on"
    assert await _setting(postgres, "statement_timeout") == "5s"


async def test_a_quick_walk_restores_the_settings(postgres: AsyncSession) -> None:
    await postgres.execute(text(f"SET LOCAL statement_timeout = {search.USER_QUERY_TIMEOUT_MS}"))
    assert await search._walk(postgres, select(literal_column("8"))) == [8]  # once
    assert await _setting(postgres, "enable_bitmapscan") == "on"
    assert await _setting(postgres, "statement_timeout") == "5s"


async def test_other_database_errors_are_not_swallowed(postgres: AsyncSession) -> None:
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError):
        await search._walk(postgres, select(literal_column("1/0")))
