"""PostgreSQL full-text search on a stored tsvector column with its GIN index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

The expression index of 0003 made PostgreSQL recompute `to_tsvector` for every row it looked
at outside the index (a recheck, or a walk of the primary key): seconds at 300k notices. A
generated stored column is computed once per write and read back as is. SQLite keeps its FTS5
table (0003); nothing changes there.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UP_PG = (
    "ALTER TABLE procedures ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('russian', search_text)) STORED",
    "CREATE INDEX ix_procedures_search_vector ON procedures USING gin (search_vector)",
    "DROP INDEX IF EXISTS ix_procedures_fts",
)
DOWN_PG = (
    "CREATE INDEX ix_procedures_fts ON procedures USING gin (to_tsvector('russian', search_text))",
    "DROP INDEX IF EXISTS ix_procedures_search_vector",
    "ALTER TABLE procedures DROP COLUMN search_vector",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UP_PG:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWN_PG:
            op.execute(statement)
