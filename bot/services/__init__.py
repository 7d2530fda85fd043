"""Use cases: no aiogram, no HTML. Each service commits its own unit of work."""

from sqlalchemy.ext.asyncio import AsyncSession as Session

__all__ = ["Session"]
