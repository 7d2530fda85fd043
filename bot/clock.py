"""The real clock: aware UTC now. Services take "now" injected; this is what is injected."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
