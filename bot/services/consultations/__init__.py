"""Consultations with a live consultant: the use cases behind /consult, answers, follow-ups,
/close with a rating, /queue and the SLA re-announcements. No aiogram, no HTML.

Statuses: new → in_work (taken, or a follow-up arrived) → answered → … → closed.
`waiting_since` is when the user began waiting for the current answer.

`views` (frozen results), `reading`, `writing`, `announcements`."""

from bot.services.consultations.about import (
    About,
    AboutKind,
    answer_about,
    article_about,
    card_about,
)
from bot.services.consultations.announcements import (
    Claim,
    claim_announcement,
    record_posts,
    release_announcement,
)
from bot.services.consultations.reading import (
    find_by_post,
    find_by_thread,
    get_consultation,
    messages_of,
    overdue,
    posts_of,
    queue,
)
from bot.services.consultations.views import (
    MAX_FILE_ID,
    MAX_OPEN_PER_USER,
    MAX_QUESTION_TEXT,
    MAX_TEXT,
    OPEN_STATUSES,
    STAFF_POSTS,
    WAITING_STATUSES,
    Attachment,
    Change,
    ConsultationView,
    FileKind,
    MessageView,
    PostRef,
    QueuePage,
    Status,
)
from bot.services.consultations.writing import (
    add_answer,
    add_follow_up,
    check_open,
    close,
    open_consultation,
    rate,
    take,
)

__all__ = [
    "MAX_FILE_ID",
    "MAX_OPEN_PER_USER",
    "MAX_QUESTION_TEXT",
    "MAX_TEXT",
    "OPEN_STATUSES",
    "STAFF_POSTS",
    "WAITING_STATUSES",
    "About",
    "AboutKind",
    "Attachment",
    "Change",
    "Claim",
    "ConsultationView",
    "FileKind",
    "MessageView",
    "PostRef",
    "QueuePage",
    "Status",
    "add_answer",
    "add_follow_up",
    "answer_about",
    "article_about",
    "card_about",
    "check_open",
    "claim_announcement",
    "close",
    "find_by_post",
    "find_by_thread",
    "get_consultation",
    "messages_of",
    "open_consultation",
    "overdue",
    "posts_of",
    "queue",
    "rate",
    "record_posts",
    "release_announcement",
    "take",
]
