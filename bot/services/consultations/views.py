"""What a consultation looks like to the rest of the bot: frozen views and their types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from bot.services.consultations.about import About
from models.consultation import ConsultationStatus

Status = ConsultationStatus

FileKind = Literal["document", "photo", "voice", "video", "audio", "video_note"]
OPEN_STATUSES = (Status.NEW, Status.IN_WORK, Status.ANSWERED)
WAITING_STATUSES = (Status.NEW, Status.IN_WORK)
MAX_OPEN_PER_USER = 5
MAX_TEXT = 4096
# a question may be longer than one Telegram message (the console, a question the bot
# refused as too long for the knowledge base): the card shows the start, notes the rest
MAX_QUESTION_TEXT = 16000
MAX_FILE_ID = 256


@dataclass(frozen=True, slots=True)
class Attachment:
    file_id: str
    kind: FileKind


@dataclass(frozen=True, slots=True)
class ConsultationView:
    id: int
    user_id: int
    user_name: str
    username: str | None
    status: Status
    question: str
    file_id: str | None
    file_kind: str | None
    chat_id: int | None
    thread_id: int | None
    message_id: int | None
    consultant_id: int | None
    consultant_name: str | None
    created_at: datetime
    waiting_since: datetime
    answered_at: datetime | None
    closed_at: datetime | None
    closed_by: int | None
    rating: int | None
    last_announced_at: datetime | None
    erased_at: datetime | None = None  # the user erased their data (/forget)
    about: About | None = None  # the card or the bot's answer it was asked from

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def venue(self) -> Literal["forum", "group", "private"]:
        """Where consultants see it: a forum topic, a group card, or their private chats."""
        if self.chat_id is None:
            return "private"
        return "forum" if self.thread_id is not None else "group"

    @property
    def attachment(self) -> Attachment | None:
        if self.file_id and self.file_kind in get_args(FileKind):
            return Attachment(self.file_id, self.file_kind)  # type: ignore[arg-type]
        return None


@dataclass(frozen=True, slots=True)
class Change:
    """The consultation after an action; `changed` is False when it was already so;
    `previous` is the status before."""

    view: ConsultationView
    changed: bool
    previous: Status


STAFF_POSTS = ("card", "note")


@dataclass(frozen=True, slots=True)
class PostRef:
    """A bot message about a consultation: to consultants, or a part of the answer."""

    chat_id: int
    message_id: int
    kind: str  # card | note (to consultants) | answer (to the asker)
    venue: bool = False  # the card where the consultation lives (forum topic / group)
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class MessageView:
    direction: str
    author_id: int | None
    text: str
    file_id: str | None
    file_kind: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: tuple[ConsultationView, ...]
    total: int
    page: int
    pages: int
    page_size: int

    @property
    def offset(self) -> int:
        return self.page * self.page_size
