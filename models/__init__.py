"""SQLAlchemy tables only. Migrations live in models/migrations (Alembic)."""

from models.article import ArticleVersion
from models.base import Base
from models.consultation import (
    Consultation,
    ConsultationMessage,
    ConsultationPost,
    ConsultationStatus,
    Staff,
)
from models.procurement import (
    Contract,
    ContractStage,
    ExecutionDoc,
    ExecutionFact,
    Procedure,
    ProcedureLot,
    ProtocolStatus,
)
from models.question import QuestionLog
from models.stats import StatContracts, StatCustomers, StatDirty, StatOkpd2, StatProcedures
from models.subscription import Reminder, ReminderStatus, Subscription
from models.user import User

__all__ = [
    "ArticleVersion",
    "Base",
    "Consultation",
    "ConsultationMessage",
    "ConsultationPost",
    "ConsultationStatus",
    "Contract",
    "ContractStage",
    "ExecutionDoc",
    "ExecutionFact",
    "Procedure",
    "ProcedureLot",
    "ProtocolStatus",
    "QuestionLog",
    "Reminder",
    "ReminderStatus",
    "Staff",
    "StatContracts",
    "StatCustomers",
    "StatDirty",
    "StatOkpd2",
    "StatProcedures",
    "Subscription",
    "User",
]
