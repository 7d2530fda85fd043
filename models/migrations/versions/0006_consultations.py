"""staff roles, consultations, their messages and posts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("added_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff")),
    )
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("file_kind", sa.String(length=16), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("consultant_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("waiting_since", models.base.UTCDateTime(), nullable=False),
        sa.Column("answered_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("closed_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("last_announced_at", models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_consultations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    op.create_index("ix_consultations_status_created", "consultations", ["status", "created_at"])
    op.create_index("ix_consultations_user_id", "consultations", ["user_id"])
    op.create_index("ix_consultations_chat_thread", "consultations", ["chat_id", "thread_id"])
    op.create_table(
        "consultation_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=12), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("file_kind", sa.String(length=16), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_messages_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_messages")),
    )
    op.create_index(
        "ix_consultation_messages_consultation_id", "consultation_messages", ["consultation_id"]
    )
    op.create_table(
        "consultation_posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_posts_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_posts")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_consultation_posts_chat_id")),
    )
    op.create_index(
        "ix_consultation_posts_consultation_id", "consultation_posts", ["consultation_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_consultation_posts_consultation_id", table_name="consultation_posts")
    op.drop_table("consultation_posts")
    op.drop_index("ix_consultation_messages_consultation_id", table_name="consultation_messages")
    op.drop_table("consultation_messages")
    op.drop_index("ix_consultations_chat_thread", table_name="consultations")
    op.drop_index("ix_consultations_user_id", table_name="consultations")
    op.drop_index("ix_consultations_status_created", table_name="consultations")
    op.drop_table("consultations")
    op.drop_table("staff")
