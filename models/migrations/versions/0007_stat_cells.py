"""pre-aggregated monthly statistics cells, filled from the existing rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CELL = ("region", "month")
KINDS = ("procedures", "okpd2", "customers", "contracts")


def _cell_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
    ]


def _figures() -> list[sa.Column[Any]]:
    return [
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("kopecks", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "stat_procedures",
        *_cell_columns(),
        sa.Column("law", sa.String(length=8), nullable=False),
        sa.Column("method", sa.String(length=256), nullable=False),
        sa.Column("platform", sa.String(length=256), nullable=False),
        sa.Column("smp_only", sa.Boolean(), nullable=False),
        *_figures(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_procedures")),
    )
    op.create_table(
        "stat_okpd2",
        *_cell_columns(),
        sa.Column("grp", sa.String(length=8), nullable=False),
        *_figures(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_okpd2")),
    )
    op.create_table(
        "stat_customers",
        *_cell_columns(),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        *_figures(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_customers")),
    )
    op.create_table(
        "stat_contracts",
        *_cell_columns(),
        sa.Column("smp", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=4), nullable=False),
        sa.Column("open_end", sa.Date(), nullable=True),
        *_figures(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_contracts")),
    )
    for name in KINDS:
        op.create_index(f"ix_stat_{name}_cell", f"stat_{name}", list(CELL))
    op.create_table(
        "stat_dirty",
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("kind", "region", "month", name=op.f("pk_stat_dirty")),
    )
    # Fill the cells from the rows already imported (the same statements the importer uses).
    # They read today's models: a later migration that renames a column these SELECTs use
    # must fill the cells itself and turn this step into plain SQL of revision 0007.
    from bot.services.stats_cells import rebuild_statements

    bind = op.get_bind()
    for statement in rebuild_statements(bind.dialect.name):
        bind.execute(statement)


def downgrade() -> None:
    for table in (
        "stat_dirty",
        "stat_contracts",
        "stat_customers",
        "stat_okpd2",
        "stat_procedures",
    ):
        op.drop_table(table)
