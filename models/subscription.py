"""Subscriptions (a procedure, a contract or a saved search) and the reminders outbox.

The `reminders` table is the source of truth for every outgoing reminder: one row per
(user, key) where the key names the subscription, the event and the lead time. Rows move
pending → claimed → sending → sent | failed | dropped | unknown | cancelled | paused;
see bot/services/reminders/outbox.py for the claim/confirm protocol."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # procedure | contract | search
    target: Mapped[str] = mapped_column(String(300))  # registry number or search words
    filters: Mapped[str] = mapped_column(String(200), default="")  # saved-search filters
    title: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: paused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the target's state when its reminders were last planned (changes trigger a re-plan)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    seen_status: Mapped[str] = mapped_column(String(16), default="")
    seen_doc: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_id: Mapped[int] = mapped_column(Integer, default=0)  # saved search: newest seen

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "target", "filters"),
        Index("ix_subscriptions_kind_active", "kind", "active"),
    )


class ReminderStatus(StrEnum):
    """`reminders.status` as stored (the moves: see the module's docstring)."""

    PENDING = "pending"
    PAUSED = "paused"  # the subscription is paused
    CLAIMED = "claimed"  # a sender took it
    SENDING = "sending"  # the Telegram call may be under way
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"  # not sent on purpose (user inactive, stale, superseded)
    UNKNOWN = "unknown"  # a sender died mid-call: sent or not, nobody knows
    CANCELLED = "cancelled"  # the deadline moved or went away


class Reminder(Base):
    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=True
    )
    key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))  # deadline | update | digest | news
    event: Mapped[str] = mapped_column(String(32))
    event_no: Mapped[int] = mapped_column(Integer, default=0)  # contract stage number
    event_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    date_only: Mapped[bool] = mapped_column(Boolean, default=False)
    lead_minutes: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default=ReminderStatus.PENDING.value)
    claim_token: Mapped[str | None] = mapped_column(String(40), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_reminders_status_due", "status", "due_at"),
        Index("ix_reminders_subscription_id", "subscription_id"),
    )
