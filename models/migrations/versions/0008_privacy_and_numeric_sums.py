"""erased consultations (/forget) and statistics sums in NUMERIC

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CELL_TABLES = ("stat_procedures", "stat_okpd2", "stat_customers", "stat_contracts")


def upgrade() -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(sa.Column("erased_at", models.base.UTCDateTime(), nullable=True))
    for table in CELL_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "kopecks",
                existing_type=sa.BigInteger(),
                type_=sa.Numeric(24, 0),
                existing_nullable=False,
            )


def downgrade() -> None:
    for table in CELL_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "kopecks",
                existing_type=sa.Numeric(24, 0),
                type_=sa.BigInteger(),
                existing_nullable=False,
            )
    with op.batch_alter_table("consultations") as batch:
        batch.drop_column("erased_at")
