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


# INSERT … SELECT … GROUP BY per cell table and dialect (generated from
# bot.services.stats_cells.rebuild_statements at this revision; do not edit).
FILL: dict[str, tuple[str, ...]] = {
    "sqlite": (
        (
            "INSERT INTO stat_procedures (region, month, law, method, platform, smp_only, n, "
            "kopecks) SELECT coalesce(procedures.region, '') AS region, "
            "substr(procedures.published_at, 1, 7) AS month, procedures.law AS law, "
            "procedures.method AS method, coalesce(procedures.platform_name, '') AS platform, "
            "procedures.smp_only AS smp_only, count(*) AS n, coalesce(sum(CAST(round(CASE WHEN "
            "(procedures.currency IN ('RUB', 'RUR', '643', '810')) THEN procedures.max_price END "
            "* 100) AS BIGINT)), 0) AS kopecks FROM procedures WHERE procedures.published_at IS "
            "NOT NULL GROUP BY coalesce(procedures.region, ''), substr(procedures.published_at, "
            "1, 7), procedures.law, procedures.method, coalesce(procedures.platform_name, ''), "
            "procedures.smp_only"
        ),
        (
            "INSERT INTO stat_okpd2 (region, month, grp, n, kopecks) SELECT "
            "coalesce(procedures.region, '') AS region, substr(procedures.published_at, 1, 7) AS "
            "month, coalesce(substr(procedures.okpd2_main, 1, 2), '—') AS grp, count(*) AS n, "
            "coalesce(sum(CAST(round(CASE WHEN (procedures.currency IN ('RUB', 'RUR', '643', "
            "'810')) THEN procedures.max_price END * 100) AS BIGINT)), 0) AS kopecks FROM "
            "procedures WHERE procedures.published_at IS NOT NULL GROUP BY "
            "coalesce(procedures.region, ''), substr(procedures.published_at, 1, 7), "
            "coalesce(substr(procedures.okpd2_main, 1, 2), '—')"
        ),
        (
            "INSERT INTO stat_customers (region, month, customer, name, n, kopecks) SELECT "
            "coalesce(procedures.region, '') AS region, substr(procedures.published_at, 1, 7) AS "
            "month, coalesce(procedures.customer_inn, procedures.customer_name) AS customer, "
            "max(procedures.customer_name) AS name, count(*) AS n, coalesce(sum(CAST(round(CASE "
            "WHEN (procedures.currency IN ('RUB', 'RUR', '643', '810')) THEN procedures.max_price"
            " END * 100) AS BIGINT)), 0) AS kopecks FROM procedures WHERE procedures.published_at"
            " IS NOT NULL GROUP BY coalesce(procedures.region, ''), "
            "substr(procedures.published_at, 1, 7), coalesce(procedures.customer_inn, "
            "procedures.customer_name)"
        ),
        (
            "INSERT INTO stat_contracts (region, month, smp, state, open_end, n, kopecks) SELECT "
            "coalesce(contracts.region, '') AS region, substr(contracts.signed_on, 1, 7) AS "
            "month, coalesce(contracts.supplier_is_smp, 0) AS smp, CASE WHEN "
            "(contracts.status_code IN ('EC', 'ET')) THEN contracts.status_code ELSE '' END AS "
            "state, CASE WHEN (contracts.status_code IN ('EC', 'ET')) THEN NULL ELSE "
            "contracts.execution_end END AS open_end, count(*) AS n, coalesce(sum(CAST(round(CASE"
            " WHEN (contracts.currency IN ('RUB', 'RUR', '643', '810')) THEN contracts.price END "
            "* 100) AS BIGINT)), 0) AS kopecks FROM contracts WHERE contracts.signed_on IS NOT "
            "NULL GROUP BY coalesce(contracts.region, ''), substr(contracts.signed_on, 1, 7), "
            "coalesce(contracts.supplier_is_smp, 0), CASE WHEN (contracts.status_code IN ('EC', "
            "'ET')) THEN contracts.status_code ELSE '' END, CASE WHEN (contracts.status_code IN "
            "('EC', 'ET')) THEN NULL ELSE contracts.execution_end END"
        ),
    ),
    "postgresql": (
        (
            "INSERT INTO stat_procedures (region, month, law, method, platform, smp_only, n, "
            "kopecks) SELECT coalesce(procedures.region, '') AS region, to_char(timezone('UTC', "
            "procedures.published_at), 'YYYY-MM') AS month, procedures.law AS law, "
            "procedures.method AS method, coalesce(procedures.platform_name, '') AS platform, "
            "procedures.smp_only AS smp_only, count(*) AS n, coalesce(sum(CAST(round(CASE WHEN "
            "(procedures.currency IN ('RUB', 'RUR', '643', '810')) THEN procedures.max_price END "
            "* 100) AS BIGINT)), 0) AS kopecks FROM procedures WHERE procedures.published_at IS "
            "NOT NULL GROUP BY coalesce(procedures.region, ''), to_char(timezone('UTC', "
            "procedures.published_at), 'YYYY-MM'), procedures.law, procedures.method, "
            "coalesce(procedures.platform_name, ''), procedures.smp_only"
        ),
        (
            "INSERT INTO stat_okpd2 (region, month, grp, n, kopecks) SELECT "
            "coalesce(procedures.region, '') AS region, to_char(timezone('UTC', "
            "procedures.published_at), 'YYYY-MM') AS month, "
            "coalesce(substr(procedures.okpd2_main, 1, 2), '—') AS grp, count(*) AS n, "
            "coalesce(sum(CAST(round(CASE WHEN (procedures.currency IN ('RUB', 'RUR', '643', "
            "'810')) THEN procedures.max_price END * 100) AS BIGINT)), 0) AS kopecks FROM "
            "procedures WHERE procedures.published_at IS NOT NULL GROUP BY "
            "coalesce(procedures.region, ''), to_char(timezone('UTC', procedures.published_at), "
            "'YYYY-MM'), coalesce(substr(procedures.okpd2_main, 1, 2), '—')"
        ),
        (
            "INSERT INTO stat_customers (region, month, customer, name, n, kopecks) SELECT "
            "coalesce(procedures.region, '') AS region, to_char(timezone('UTC', "
            "procedures.published_at), 'YYYY-MM') AS month, coalesce(procedures.customer_inn, "
            "procedures.customer_name) AS customer, max(procedures.customer_name) AS name, "
            "count(*) AS n, coalesce(sum(CAST(round(CASE WHEN (procedures.currency IN ('RUB', "
            "'RUR', '643', '810')) THEN procedures.max_price END * 100) AS BIGINT)), 0) AS "
            "kopecks FROM procedures WHERE procedures.published_at IS NOT NULL GROUP BY "
            "coalesce(procedures.region, ''), to_char(timezone('UTC', procedures.published_at), "
            "'YYYY-MM'), coalesce(procedures.customer_inn, procedures.customer_name)"
        ),
        (
            "INSERT INTO stat_contracts (region, month, smp, state, open_end, n, kopecks) SELECT "
            "coalesce(contracts.region, '') AS region, to_char(contracts.signed_on, 'YYYY-MM') AS"
            " month, coalesce(contracts.supplier_is_smp, false) AS smp, CASE WHEN "
            "(contracts.status_code IN ('EC', 'ET')) THEN contracts.status_code ELSE '' END AS "
            "state, CASE WHEN (contracts.status_code IN ('EC', 'ET')) THEN NULL ELSE "
            "contracts.execution_end END AS open_end, count(*) AS n, coalesce(sum(CAST(round(CASE"
            " WHEN (contracts.currency IN ('RUB', 'RUR', '643', '810')) THEN contracts.price END "
            "* 100) AS BIGINT)), 0) AS kopecks FROM contracts WHERE contracts.signed_on IS NOT "
            "NULL GROUP BY coalesce(contracts.region, ''), to_char(contracts.signed_on, "
            "'YYYY-MM'), coalesce(contracts.supplier_is_smp, false), CASE WHEN "
            "(contracts.status_code IN ('EC', 'ET')) THEN contracts.status_code ELSE '' END, CASE"
            " WHEN (contracts.status_code IN ('EC', 'ET')) THEN NULL ELSE contracts.execution_end"
            " END"
        ),
    ),
}


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
    # Fill the cells from the rows already imported: the importer's grouped SELECTs as they
    # were at this revision, frozen to SQL, so later changes to the models or to
    # bot/services/stats/cells.py cannot change what this migration does.
    bind = op.get_bind()
    for statement in FILL[bind.dialect.name]:
        bind.execute(sa.text(statement))


def downgrade() -> None:
    for table in (
        "stat_dirty",
        "stat_contracts",
        "stat_customers",
        "stat_okpd2",
        "stat_procedures",
    ):
        op.drop_table(table)
