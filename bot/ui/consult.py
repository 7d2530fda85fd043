"""Consultation messages and keyboards: texts from templates under consult/, buttons here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import BotCommand, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.consultations import About, ConsultationView, QueuePage, Status
from bot.services.roles import StaffChange, StaffMember
from bot.ui.answers import OutMessage
from bot.ui.callbacks import DbId, Page
from bot.ui.render import render

QUEUE_PAGE = 8
ANSWER_CHUNK = 3800  # plain characters per message; header and footer fit in 4096
TOPIC_NAME_LIMIT = 128
CARD_QUESTION = 2500  # of the question on the card (with `about`); the rest follows in notes


class ConsultOp(StrEnum):
    """What a consultation button does; one handler per op (handlers/consult/)."""

    TAKE = "take"  # staff, under a card
    CLOSE = "close"  # staff, under a card
    PAGE = "page"  # staff, /queue (v = page)
    MORE = "more"  # user: «Уточнить»
    DONE = "done"  # user: «Закрыть вопрос»
    RATE = "rate"  # user (v = 1..5)
    CANCEL = "cancel"  # user: leave the dialogue


class Toast(StrEnum):
    """What the toast (or reply) after a consultation button says (consult/toast)."""

    TAKEN = "taken"
    CLOSED = "closed"
    ALREADY_CLOSED = "already_closed"


class ConsultCB(CallbackData, prefix="cn1"):
    """Consultations: op (ConsultOp); id = consultation (checked against the pressing user
    or their role); v = page or rating."""

    op: ConsultOp
    id: DbId = 0
    v: Page = 0


STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    ("queue", "Открытые вопросы пользователей"),
    ("close", "Закрыть вопрос (в теме или ответом на карточку)"),
    ("staff", "Администраторы и консультанты"),
    ("consultant_add", "Добавить консультанта: /consultant_add ID"),
    ("consultant_del", "Убрать консультанта: /consultant_del ID"),
)


def staff_commands(base: list[BotCommand]) -> list[BotCommand]:
    """The command menu for staff chats (setMyCommands with BotCommandScopeChat)."""
    return [*base, *(BotCommand(command=c, description=d) for c, d in STAFF_COMMANDS)]


# ----------------------------------------------------------------- user side
def _cancel_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="✖️ Отмена", callback_data=ConsultCB(op=ConsultOp.CANCEL))
    return builder.as_markup()


def prompt_message(about: About | None = None) -> OutMessage:
    """«Вопрос консультанту»; with `about`, what the consultant will see it is about."""
    return OutMessage(render("consult/prompt", about=about), _cancel_keyboard())


def _withdraw_keyboard(c: ConsultationView) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="↩️ Отозвать вопрос", callback_data=ConsultCB(op=ConsultOp.DONE, id=c.id))
    return builder.as_markup()


def accepted_message(c: ConsultationView) -> OutMessage:
    """«Вопрос принят»; until it is answered, the user may withdraw it."""
    return OutMessage(render("consult/accepted", c=c), _withdraw_keyboard(c))


def follow_up_prompt(consultation_id: int) -> OutMessage:
    return OutMessage(render("consult/follow_up_prompt", id=consultation_id), _cancel_keyboard())


def _answer_keyboard(consultation_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text="✏️ Уточнить", callback_data=ConsultCB(op=ConsultOp.MORE, id=consultation_id)
    )
    builder.button(
        text="✅ Закрыть вопрос", callback_data=ConsultCB(op=ConsultOp.DONE, id=consultation_id)
    )
    builder.adjust(2)
    return builder.as_markup()


def split_text(text: str, limit: int = ANSWER_CHUNK) -> list[str]:
    """Split on paragraph, then line, then word boundaries into parts of at most `limit`."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = text.rfind(sep, 0, limit + 1)
            if cut > limit // 2:
                break
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not parts:
        parts.append(text)
    return parts


def answer_messages(c: ConsultationView, text: str) -> list[OutMessage]:
    """«Ответ консультанта», split if long; «Уточнить» / «Закрыть вопрос» under the last."""
    parts = split_text(text)
    n = len(parts)
    return [
        OutMessage(
            render("consult/answer", c=c, part=part, first=i == 0, last=i == n - 1),
            _answer_keyboard(c.id) if i == n - 1 else None,
        )
        for i, part in enumerate(parts)
    ]


def queued_message(c: ConsultationView) -> OutMessage:
    """No consultant is reachable: the question waits in the queue; the user may withdraw it."""
    return OutMessage(render("consult/queued", c=c), _withdraw_keyboard(c))


def closed_message(c: ConsultationView, *, by_user: bool) -> OutMessage:
    """A question withdrawn before any answer is not rated."""
    builder = InlineKeyboardBuilder()
    if c.answered_at is None and by_user:
        return OutMessage(render("consult/closed", c=c, by_user=by_user))
    for v in range(1, 6):
        builder.button(text=f"{v} ⭐", callback_data=ConsultCB(op=ConsultOp.RATE, id=c.id, v=v))
    builder.adjust(5)
    return OutMessage(render("consult/closed", c=c, by_user=by_user), builder.as_markup())


# ----------------------------------------------------------------- staff side
def topic_name(c: ConsultationView) -> str:
    """«№12 · первые слова вопроса» for the forum topic (plain text, ≤ 128 characters)."""
    words = " ".join(c.question.split()[:8]) or "вложение"
    name = f"№{c.id} · {words}"
    return name if len(name) <= TOPIC_NAME_LIMIT else name[: TOPIC_NAME_LIMIT - 1] + "…"


def card_keyboard(c: ConsultationView) -> InlineKeyboardMarkup | None:
    if not c.is_open:
        return None
    builder = InlineKeyboardBuilder()
    if c.status == Status.NEW or c.consultant_id is None:
        builder.button(text="🛠 Взять в работу", callback_data=ConsultCB(op=ConsultOp.TAKE, id=c.id))
    builder.button(text="✅ Закрыть", callback_data=ConsultCB(op=ConsultOp.CLOSE, id=c.id))
    builder.adjust(2)
    return builder.as_markup()


def _question_parts(c: ConsultationView) -> list[str]:
    return split_text(c.question, CARD_QUESTION) if c.question else []


def card_message(c: ConsultationView, tz: str, venue: str | None = None) -> OutMessage:
    """The card in the viewer's time zone `tz`; a question too long for one message shows its
    start here and says how many notes (`question_notes`) carry the rest."""
    parts = _question_parts(c)
    text = render(
        "consult/card",
        c=c,
        tz=tz,
        venue=venue or c.venue,
        question=parts[0] if parts else "",
        rest=max(0, len(parts) - 1),
    )
    return OutMessage(text, card_keyboard(c))


def question_notes(c: ConsultationView) -> list[OutMessage]:
    """The rest of a long question, after its card."""
    parts = _question_parts(c)[1:]
    return [
        OutMessage(render("consult/question_part", c=c, part=p, n=i, total=len(parts) + 1))
        for i, p in enumerate(parts, start=2)
    ]


def follow_up_note(c: ConsultationView, text: str, has_file: bool) -> OutMessage:
    return OutMessage(render("consult/follow_up_note", c=c, text=text, has_file=has_file))


def reannounce_message(c: ConsultationView, now: datetime) -> OutMessage:
    text = render("consult/reannounce", c=c, waited=now - c.waiting_since)
    return OutMessage(text, card_keyboard(c))


def queue_message(page: QueuePage, now: datetime) -> OutMessage:
    builder = InlineKeyboardBuilder()
    if page.page > 0:
        builder.button(text="◀️ Назад", callback_data=ConsultCB(op=ConsultOp.PAGE, v=page.page - 1))
    if page.page + 1 < page.pages:
        builder.button(text="Дальше ▶️", callback_data=ConsultCB(op=ConsultOp.PAGE, v=page.page + 1))
    keyboard = builder.as_markup() if builder.buttons else None
    return OutMessage(render("consult/queue", page=page, now=now), keyboard)


def staff_added_text(change: StaffChange, *, private: bool) -> str:
    return render(
        "consult/staff_added", member=change.member, changed=change.changed, private=private
    )


def staff_list_text(members: list[StaffMember]) -> str:
    return render("consult/staff_list", members=members)
