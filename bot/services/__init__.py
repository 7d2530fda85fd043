"""Use cases: no aiogram, no HTML. Each service commits its own unit of work."""

from sqlalchemy.ext.asyncio import AsyncSession as Session
from sqlalchemy.ext.asyncio import async_sessionmaker

Sessionmaker = async_sessionmaker[Session]

__all__ = ["Session", "Sessionmaker"]
