"""Consultations with a live consultant: staff roles, the questions, their messages and the
bot's posts in the consultants' chat (or their private chats).

A consultation moves new → in_work (a consultant took it, or the user sent a follow-up)
→ answered → (in_work again after a follow-up) … → closed. `waiting_since` is when the user
started waiting for the current answer; the SLA job re-announces rows waiting longer than
CONSULT_SLA_HOURS at most once per period (`last_announced_at`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class ConsultationStatus(StrEnum):
    """`consultations.status` as stored (see the module's docstring for the moves)."""

    NEW = "new"
    IN_WORK = "in_work"
    ANSWERED = "answered"
    CLOSED = "closed"


class Staff(Base):
    """Consultants added by admins with /consultant_add (CONSULTANT_IDS live in settings)."""

    __tablename__ = "staff"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16), default="consultant")
    added_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=ConsultationStatus.NEW.value)
    question: Mapped[str] = mapped_column(Text, default="")
    # what the question is about, as JSON: the procedure or contract card, or the bot's answer
    # the user asked a consultant about (bot/services/consultations/about.py); erased by /forget
    about: Mapped[str | None] = mapped_column(Text, nullable=True)
    file_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    # document | photo | voice | video | audio | video_note
    file_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # where the card lives: a forum topic (chat + thread), a group message, or NULL (private)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    consultant_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    waiting_since: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    rating: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # 1..5
    last_announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # the user erased their data (/forget): texts and files are gone, the row is closed
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        Index("ix_consultations_status_created", "status", "created_at"),
        Index("ix_consultations_user_id", "user_id"),
        Index("ix_consultations_chat_thread", "chat_id", "thread_id"),
    )


class ConsultationMessage(Base):
    """What the user and the consultants said after the question (the history)."""

    __tablename__ = "consultation_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(12))  # user | consultant
    author_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    file_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_consultation_messages_consultation_id", "consultation_id"),)


class ConsultationPost(Base):
    """Every message the bot sent about a consultation, so that a reply to any of them finds
    it: to consultants (`card`, edited when the status changes, and `note`) and each part of
    the answer to the asker (`answer`)."""

    __tablename__ = "consultation_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8), default="note")  # card | note | answer

    __table_args__ = (
        UniqueConstraint("chat_id", "message_id"),
        Index("ix_consultation_posts_consultation_id", "consultation_id"),
    )
