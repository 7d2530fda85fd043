"""Use cases: no aiogram, no HTML. Each service commits its own unit of work."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession as Session
from sqlalchemy.ext.asyncio import async_sessionmaker

Sessionmaker = async_sessionmaker[Session]
Clock = Callable[[], datetime]  # the injected "now" (aware, UTC)

__all__ = ["Clock", "Session", "Sessionmaker"]
