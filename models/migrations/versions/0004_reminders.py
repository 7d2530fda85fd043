"""subscriptions, reminders outbox and reminder settings of users

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("lead_times", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("quiet_hours", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("news", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("filters", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("seen_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("seen_status", sa.String(length=16), nullable=False),
        sa.Column("seen_doc", sa.Integer(), nullable=False),
        sa.Column("last_seen_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint(
            "user_id", "kind", "target", "filters", name=op.f("uq_subscriptions_user_id")
        ),
    )
    op.create_index("ix_subscriptions_kind_active", "subscriptions", ["kind", "active"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("event_no", sa.Integer(), nullable=False),
        sa.Column("event_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("date_only", sa.Boolean(), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("due_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claim_token", sa.String(length=40), nullable=True),
        sa.Column("claimed_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("sent_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_reminders_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reminders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_reminders_user_id")),
    )
    op.create_index("ix_reminders_status_due", "reminders", ["status", "due_at"])
    op.create_index("ix_reminders_subscription_id", "reminders", ["subscription_id"])


def downgrade() -> None:
    op.drop_index("ix_reminders_subscription_id", table_name="reminders")
    op.drop_index("ix_reminders_status_due", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_subscriptions_kind_active", table_name="subscriptions")
    op.drop_table("subscriptions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("news")
        batch.drop_column("quiet_hours")
        batch.drop_column("lead_times")
