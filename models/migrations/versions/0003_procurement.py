"""procurement: procedures, lots, protocol statuses, contracts, execution; full-text search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Full-text search over lemmatised procedure text: SQLite FTS5 (external content) or
# PostgreSQL's russian text search on an expression index.
FTS_SQLITE = (
    "CREATE VIRTUAL TABLE procedures_fts USING fts5("
    "search_text, content='procedures', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER procedures_fts_ai AFTER INSERT ON procedures BEGIN "
    "INSERT INTO procedures_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER procedures_fts_ad AFTER DELETE ON procedures BEGIN "
    "INSERT INTO procedures_fts(procedures_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER procedures_fts_au AFTER UPDATE OF search_text ON procedures BEGIN "
    "INSERT INTO procedures_fts(procedures_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO procedures_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
FTS_PG = (
    "CREATE INDEX ix_procedures_fts ON procedures USING gin (to_tsvector('russian', search_text))",
)


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=128), nullable=False),
        sa.Column("law", sa.String(length=8), nullable=False),
        sa.Column("procedure_number", sa.String(length=128), nullable=True),
        sa.Column("customer_name", sa.Text(), nullable=False),
        sa.Column("customer_inn", sa.String(length=12), nullable=True),
        sa.Column("customer_kpp", sa.String(length=9), nullable=True),
        sa.Column("region", sa.String(length=8), nullable=True),
        sa.Column("supplier_name", sa.Text(), nullable=False),
        sa.Column("supplier_inn", sa.String(length=12), nullable=True),
        sa.Column("supplier_is_smp", sa.Boolean(), nullable=True),
        sa.Column("price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("execution_start", sa.Date(), nullable=True),
        sa.Column("execution_end", sa.Date(), nullable=True),
        sa.Column("status_code", sa.String(length=4), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_hash", sa.String(length=128), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("number", name=op.f("uq_contracts_number")),
    )
    op.create_index(op.f("ix_contracts_customer_inn"), "contracts", ["customer_inn"], unique=False)
    op.create_index(
        op.f("ix_contracts_procedure_number"), "contracts", ["procedure_number"], unique=False
    )
    op.create_index(
        "ix_contracts_region_signed", "contracts", ["region", "signed_on"], unique=False
    )
    op.create_index(op.f("ix_contracts_supplier_inn"), "contracts", ["supplier_inn"], unique=False)
    op.create_table(
        "execution_docs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_number", sa.String(length=128), nullable=False),
        sa.Column("law", sa.String(length=8), nullable=False),
        sa.Column("doc_type", sa.String(length=128), nullable=False),
        sa.Column("status_code", sa.String(length=4), nullable=True),
        sa.Column("published_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("termination_reason", sa.Text(), nullable=True),
        sa.Column("source_hash", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_execution_docs")),
        sa.UniqueConstraint("source_hash", name=op.f("uq_execution_docs_source_hash")),
    )
    op.create_index(
        op.f("ix_execution_docs_contract_number"),
        "execution_docs",
        ["contract_number"],
        unique=False,
    )
    op.create_table(
        "procedures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=128), nullable=False),
        sa.Column("law", sa.String(length=8), nullable=False),
        sa.Column("doc_type", sa.String(length=128), nullable=False),
        sa.Column("method", sa.String(length=256), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("customer_name", sa.Text(), nullable=False),
        sa.Column("customer_inn", sa.String(length=12), nullable=True),
        sa.Column("customer_kpp", sa.String(length=9), nullable=True),
        sa.Column("region", sa.String(length=8), nullable=True),
        sa.Column("platform_name", sa.String(length=256), nullable=True),
        sa.Column("platform_url", sa.String(length=256), nullable=True),
        sa.Column("max_price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("published_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("applications_end", models.base.UTCDateTime(), nullable=True),
        sa.Column("auction_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("summarizing_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("smp_only", sa.Boolean(), nullable=False),
        sa.Column("preferences", sa.Text(), nullable=False),
        sa.Column("okpd2", sa.Text(), nullable=False),
        sa.Column("okpd2_main", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_hash", sa.String(length=128), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
        sa.UniqueConstraint("number", name=op.f("uq_procedures_number")),
    )
    op.create_index("ix_procedures_customer_inn", "procedures", ["customer_inn"], unique=False)
    op.create_index(
        "ix_procedures_region_end", "procedures", ["region", "applications_end"], unique=False
    )
    op.create_index(
        "ix_procedures_region_published", "procedures", ["region", "published_at"], unique=False
    )
    op.create_table(
        "protocol_statuses",
        sa.Column("procedure_number", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("doc_type", sa.String(length=128), nullable=False),
        sa.Column("at", models.base.UTCDateTime(), nullable=True),
        sa.Column("source_hash", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("procedure_number", name=op.f("pk_protocol_statuses")),
    )
    op.create_table(
        "contract_stages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_stages_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_stages")),
        sa.UniqueConstraint("contract_id", "number", name=op.f("uq_contract_stages_contract_id")),
    )
    op.create_table(
        "execution_facts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("contract_number", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("on", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc_id"],
            ["execution_docs.id"],
            name=op.f("fk_execution_facts_doc_id_execution_docs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_execution_facts")),
    )
    op.create_index(
        op.f("ix_execution_facts_contract_number"),
        "execution_facts",
        ["contract_number"],
        unique=False,
    )
    op.create_table(
        "procedure_lots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("max_price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_procedure_lots_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_lots")),
        sa.UniqueConstraint("procedure_id", "number", name=op.f("uq_procedure_lots_procedure_id")),
    )
    dialect = op.get_bind().dialect.name
    for statement in (
        FTS_SQLITE if dialect == "sqlite" else FTS_PG if dialect == "postgresql" else ()
    ):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("procedures_fts_ai", "procedures_fts_ad", "procedures_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS procedures_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_procedures_fts")
    op.drop_table("procedure_lots")
    op.drop_index(op.f("ix_execution_facts_contract_number"), table_name="execution_facts")
    op.drop_table("execution_facts")
    op.drop_table("contract_stages")
    op.drop_table("protocol_statuses")
    op.drop_index("ix_procedures_region_published", table_name="procedures")
    op.drop_index("ix_procedures_region_end", table_name="procedures")
    op.drop_index("ix_procedures_customer_inn", table_name="procedures")
    op.drop_table("procedures")
    op.drop_index(op.f("ix_execution_docs_contract_number"), table_name="execution_docs")
    op.drop_table("execution_docs")
    op.drop_index(op.f("ix_contracts_supplier_inn"), table_name="contracts")
    op.drop_index("ix_contracts_region_signed", table_name="contracts")
    op.drop_index(op.f("ix_contracts_procedure_number"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_customer_inn"), table_name="contracts")
    op.drop_table("contracts")
