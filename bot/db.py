"""Engine and session factories, SQLite pragmas, migrations and a dialect-aware upsert."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.dml import Insert

from models.base import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "models" / "migrations"


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "SAVEPOINT")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.isolation_level = None  # the driver's own BEGIN is off: see _sqlite_begin


def _sqlite_begin(
    conn: Connection, cursor: Any, statement: str, *_args: Any, **_kwargs: Any
) -> None:
    """SQLite transactions behave like PostgreSQL's READ COMMITTED: reads run on their own
    (each sees what is committed), and the first write of a transaction opens it with
    BEGIN IMMEDIATE, which waits for the write lock up to the busy timeout. SQLite's default
    (a deferred transaction that reads, then writes) fails at once with «database is locked»
    whenever another connection commits in between — under WAL the busy timeout cannot help —
    which broke user registration and imports while the bot was busy."""
    if not statement.lstrip()[:9].upper().startswith(_WRITES):
        return
    raw: Any = conn.connection.dbapi_connection
    driver = getattr(raw, "_connection", raw)  # aiosqlite's adapter wraps the connection
    if not driver.in_transaction:
        cursor.execute("BEGIN IMMEDIATE")


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int | None = None,
    statement_timeout_ms: int = 0,
    application_name: str | None = None,
) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, foreign keys and a busy timeout. PostgreSQL
    takes the pool size, `statement_timeout` (0: none) and `application_name` when given."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "before_cursor_execute", _sqlite_begin)
        return engine
    options: dict[str, Any] = {}
    if pool_size is not None:
        options["pool_size"] = pool_size
    server_settings = {}
    if statement_timeout_ms:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    if application_name:
        server_settings["application_name"] = application_name
    if server_settings and parsed.get_driver_name() == "asyncpg":
        options["connect_args"] = {"server_settings": server_settings}
    return create_async_engine(url, echo=echo, pool_pre_ping=True, **options)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), revision)


def _downgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    command.downgrade(_alembic_config(connection), revision)


def head_revision() -> str:
    """The newest migration's id: revisions are numbered and linear (0001, 0002, …), each in
    a file named after it."""
    return max(p.name[:4] for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision, or None when it has none yet (or cannot say)."""
    try:
        async with engine.connect() as conn:
            row = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).first()
    except DBAPIError:
        return None
    return str(row[0]) if row else None


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply Alembic migrations up to `revision` (the schema is never built by create_all).
    A database already at the head is left alone without loading Alembic: every CLI look-up
    calls this, and Alembic's import and script scan cost more than the look-up itself."""
    if revision == "head" and await current_revision(engine) == head_revision():
        return
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_downgrade, revision)


def upsert(
    table: Any,
    rows: Sequence[dict[str, Any]] | dict[str, Any],
    *,
    dialect: str,
    index_elements: Sequence[str],
    update: Sequence[str] | None = None,
) -> Insert:
    """INSERT … ON CONFLICT for SQLite and PostgreSQL (both speak the same clause)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(table).values(rows)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table).values(rows)
    else:  # pragma: no cover - guarded by configuration
        raise ValueError(f"unsupported dialect {dialect}")
    if not update:
        return stmt.on_conflict_do_nothing(index_elements=list(index_elements))  # type: ignore[no-any-return]
    return stmt.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=list(index_elements),
        set_={name: stmt.excluded[name] for name in update},
    )


__all__ = [
    "Base",
    "create_engine",
    "create_sessionmaker",
    "downgrade",
    "upgrade",
    "upsert",
]
