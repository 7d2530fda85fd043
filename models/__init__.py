"""SQLAlchemy tables only. Migrations live in models/migrations (Alembic)."""

from models.base import Base
from models.question import QuestionLog
from models.user import User

__all__ = ["Base", "QuestionLog", "User"]
