"""Consultations with a live consultant.

User side (private chat): the «Консультант» menu button and /consult ask for the question
(FSM; «Отмена», /cancel or any other command cancel it, and that command still runs). The
answer arrives as «Ответ консультанта» with «Уточнить» (the next message goes to the same
consultation; so does a direct reply to the answer) and «Закрыть вопрос»; after closing comes
a 1–5 rating.

Staff side (see bot/ui/consult_desk.py for where consultations appear): a message in the
consultation's topic, or a reply to one of the bot's consultation messages, goes to the
user; /close or «Закрыть» closes; «Взять в работу» takes; /queue lists open ones. Admins:
/consultant_add ID, /consultant_del ID; /staff lists staff. For anyone else these commands
do not match (IsStaff) and the fallback gives its ordinary unknown-command answer.

This router must come right after the errors router: its state handlers cancel the
consultation dialogue when another command or button is used, then let it through."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware, Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.config import Settings
from bot.services import Clock, Session
from bot.services.consultations import (
    Attachment,
    Change,
    ConsultationView,
    PostRef,
    add_answer,
    add_follow_up,
    check_open,
    close,
    find_by_post,
    find_by_thread,
    open_consultation,
    posts_of,
    queue,
    rate,
    record_posts,
    take,
)
from bot.services.errors import Forbidden
from bot.services.roles import (
    add_consultant,
    check_user_id,
    list_staff,
    remove_consultant,
    role_of,
    staff_ids,
)
from bot.services.users import UserInfo, set_active
from bot.ui.answers import OutMessage
from bot.ui.callbacks import MenuCB
from bot.ui.consult import (
    QUEUE_PAGE,
    ConsultCB,
    answer_messages,
    closed_message,
    follow_up_note,
    follow_up_prompt,
    prompt_message,
    queue_message,
    queued_message,
    staff_added_text,
    staff_list_text,
)
from bot.ui.consult_desk import (
    ChatKinds,
    close_topic,
    edit_cards,
    notify_staff,
    publish,
    send_file,
    staff_menu,
)
from bot.ui.render import render
from bot.ui.roles_filter import InConsultantChat, IsStaff
from bot.ui.telegram import edit_or_send

log = logging.getLogger("smebot.consult")
PROMPT_TTL = timedelta(minutes=30)  # an older prompt no longer captures free text


class ConsultForm(StatesGroup):
    question = State()
    follow_up = State()


class _Inject(BaseMiddleware):
    """Gives this router's handlers the cache of chat kinds (getChat once per chat)."""

    def __init__(self, kinds: ChatKinds) -> None:
        self.kinds = kinds

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["chat_kinds"] = self.kinds
        return await handler(event, data)


# ----------------------------------------------------------------- helpers
def _content(message: Message) -> tuple[str | None, Attachment | None]:
    """Text, or a file (document, photo, voice, video, audio, video note) with its caption;
    (None, None) for anything else (stickers, locations, polls …)."""
    if message.text is not None:
        return message.text, None
    if message.photo:
        return message.caption or "", Attachment(message.photo[-1].file_id, "photo")
    for kind in ("document", "voice", "video", "audio", "video_note"):
        media = getattr(message, kind)
        if media is not None:
            return message.caption or "", Attachment(media.file_id, kind)
    return None, None


def _bot(event: Message | CallbackQuery) -> Bot:
    assert event.bot is not None
    return event.bot


async def _recipients(session: Session, settings: Settings, c: ConsultationView) -> list[int]:
    """Who gets private notes about `c`: the consultant who took it, else all staff."""
    if c.consultant_id is not None:
        return [c.consultant_id]
    return await staff_ids(session, settings.admin_ids, settings.consultant_ids)


async def _tell_user(bot: Bot, session: Session, user_id: int, out: OutMessage) -> str | None:
    """Send to the user; None when delivered, else "blocked" / "other" (never raises)."""
    try:
        await bot.send_message(user_id, out.text, reply_markup=out.keyboard)
    except TelegramForbiddenError:
        await set_active(session, user_id, False)
        return "blocked"
    except TelegramAPIError as exc:
        log.warning("message to user %s failed: %s", user_id, exc)
        return "other"
    return None


async def _refresh_cards(
    bot: Bot, session: Session, settings: Settings, change: Change, *, force: bool = False
) -> None:
    """Show a new status (or, with `force`, a new consultant) on every card."""
    if force or change.view.status != change.previous:
        cards = await posts_of(session, change.view.id, "card")
        await edit_cards(bot, change.view, cards, settings.default_timezone)


def _fresh(data: dict[str, Any], now: datetime) -> bool:
    asked = data.get("consult_asked")
    if not isinstance(asked, str):
        return True
    try:
        return now - datetime.fromisoformat(asked) <= PROMPT_TTL
    except ValueError:
        return True


async def _start_dialogue(
    state: FSMContext, form: State, now: datetime, consultation_id: int = 0
) -> None:
    await state.set_state(form)
    await state.update_data(consult_asked=now.isoformat(), consult_id=consultation_id)


# ----------------------------------------------------------------- user side
async def _submit(
    message: Message,
    text: str | None,
    attachment: Attachment | None,
    session: Session,
    settings: Settings,
    user: UserInfo,
    now: datetime,
    kinds: ChatKinds,
) -> None:
    recipients = await staff_ids(session, settings.admin_ids, settings.consultant_ids)
    c = await open_consultation(session, user.id, text, now, attachment)
    if settings.consultant_chat_id is None and not recipients:
        # kept, never dropped: consultants see it in /queue and the SLA job announces it
        log.warning("consultation %s queued: no consultant is configured", c.id)
        out = queued_message(c)
        await message.answer(out.text, reply_markup=out.keyboard)
        return
    await message.answer(render("consult/accepted", c=c))
    posted = await publish(
        _bot(message),
        c,
        chat_id=settings.consultant_chat_id,
        kinds=kinds,
        recipients=recipients,
        tz=settings.default_timezone,
    )
    if not posted:
        log.error("consultation %s reached no consultant; the SLA job will retry", c.id)
    await record_posts(session, c.id, posted)


async def cmd_consult(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: Session,
    settings: Settings,
    user: UserInfo,
    clock: Clock,
    chat_kinds: ChatKinds,
) -> None:
    if command.args and command.args.strip():
        await state.set_state(None)
        await _submit(message, command.args, None, session, settings, user, clock(), chat_kinds)
        return
    await _start_dialogue(state, ConsultForm.question, clock())
    out = prompt_message()
    await message.answer(out.text, reply_markup=out.keyboard)


async def on_menu_consult(query: CallbackQuery, state: FSMContext, clock: Clock) -> None:
    await query.answer()
    await _start_dialogue(state, ConsultForm.question, clock())
    out = prompt_message()
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)
    elif query.from_user is not None:
        await _bot(query).send_message(query.from_user.id, out.text, reply_markup=out.keyboard)


async def on_state_command(message: Message, state: FSMContext) -> None:
    """A command during the dialogue cancels it politely; the command itself still runs."""
    follow_up = await state.get_state() == ConsultForm.follow_up.state
    await state.set_state(None)
    await message.answer(render("consult/cancelled", follow_up=follow_up))
    if (message.text or "").split()[0].split("@")[0].lower() != "/cancel":
        raise SkipHandler


async def on_state_button(query: CallbackQuery, state: FSMContext) -> None:  # noqa: ARG001  (aiogram passes the event)
    """Another button during the dialogue: leave it quietly and let the button work."""
    await state.set_state(None)
    raise SkipHandler


async def _leave_dialogue(state: FSMContext, now: datetime) -> dict[str, Any]:
    """End the dialogue and return its data; a forgotten prompt (too old) does not capture
    the message: it goes on to the other handlers as an ordinary one."""
    data = await state.get_data()
    await state.set_state(None)
    if not _fresh(data, now):
        raise SkipHandler
    return data


async def on_question(
    message: Message,
    state: FSMContext,
    session: Session,
    settings: Settings,
    user: UserInfo,
    clock: Clock,
    chat_kinds: ChatKinds,
) -> None:
    now = clock()
    await _leave_dialogue(state, now)
    text, attachment = _content(message)
    await _submit(message, text, attachment, session, settings, user, now, chat_kinds)


async def on_follow_up(
    message: Message,
    state: FSMContext,
    session: Session,
    settings: Settings,
    user: UserInfo,
    clock: Clock,
) -> None:
    now = clock()
    data = await _leave_dialogue(state, now)
    await _follow_up(message, int(data.get("consult_id") or 0), session, settings, user, now)


async def answered_consultation(message: Message, session: Session) -> dict[str, int] | bool:
    """The consultation whose «Ответ консультанта» this message replies to: the id in the
    «Уточнить» button Telegram returns with the replied-to message, or, for the earlier parts
    of a long answer (no buttons under them), the parts recorded when they were sent."""
    reply = message.reply_to_message
    if reply is None or reply.from_user is None or not reply.from_user.is_bot:
        return False
    for row in reply.reply_markup.inline_keyboard if reply.reply_markup else ():
        for button in row:
            data = button.callback_data or ""
            if data.startswith(ConsultCB.__prefix__ + ConsultCB.__separator__):
                with contextlib.suppress(ValueError, TypeError):
                    parsed = ConsultCB.unpack(data)
                    if parsed.op == "more":
                        return {"consultation_id": parsed.id}
    asker = message.from_user.id if message.from_user else 0
    c = await find_by_post(session, message.chat.id, reply.message_id, ("answer",))
    return {"consultation_id": c.id} if c is not None and c.user_id == asker else False


async def on_reply_to_answer(
    message: Message,
    consultation_id: int,
    session: Session,
    settings: Settings,
    user: UserInfo,
    clock: Clock,
) -> None:
    """A reply to «Ответ консультанта» is a follow-up, as if «Уточнить» had been pressed
    (`consultation_id` comes from the filter)."""
    await _follow_up(message, consultation_id, session, settings, user, clock())


async def _follow_up(
    message: Message,
    consultation_id: int,
    session: Session,
    settings: Settings,
    user: UserInfo,
    now: datetime,
) -> None:
    text, attachment = _content(message)
    change = await add_follow_up(session, consultation_id, user.id, text, now, attachment)
    c = change.view
    bot = _bot(message)
    note = follow_up_note(c, text or "", attachment is not None)
    posted = await notify_staff(
        bot, c, note, await _recipients(session, settings, c), attachment=attachment
    )
    await record_posts(session, c.id, posted)
    await _refresh_cards(bot, session, settings, change)
    await message.answer(render("consult/follow_up_sent", c=c))


async def on_state_other(message: Message, state: FSMContext) -> None:
    """A sticker, voice message … during the dialogue: say what is accepted."""
    follow_up = await state.get_state() == ConsultForm.follow_up.state
    await message.answer(render("consult/need_content", follow_up=follow_up))


async def on_user_button(
    query: CallbackQuery,
    callback_data: ConsultCB,
    state: FSMContext,
    session: Session,
    settings: Settings,
    user: UserInfo,
    clock: Clock,
) -> None:
    op = callback_data.op
    message = query.message if isinstance(query.message, Message) else None
    if op == "cancel":
        current = await state.get_state()
        if current not in (ConsultForm.question.state, ConsultForm.follow_up.state):
            await query.answer(render("common/stale_button"))  # already sent or cancelled
            return
        follow_up = current == ConsultForm.follow_up.state
        await state.set_state(None)
        await query.answer()
        await edit_or_send(query, OutMessage(render("consult/cancelled", follow_up=follow_up)))
    elif op == "more":
        c = await check_open(session, callback_data.id, user.id)
        await _start_dialogue(state, ConsultForm.follow_up, clock(), c.id)
        await query.answer()
        out = follow_up_prompt(c.id)
        if message is not None:
            await message.answer(out.text, reply_markup=out.keyboard)
    elif op == "done":
        change = await close(session, callback_data.id, user.id, clock(), as_owner=True)
        c = change.view
        if not change.changed:
            await query.answer(render("consult/toast", op="already_closed", id=c.id))
            return
        await query.answer()
        bot = _bot(query)
        await _refresh_cards(bot, session, settings, change)
        note = OutMessage(render("consult/closed_staff", c=c, by_user=True, by_name=""))
        posted = await notify_staff(bot, c, note, await _recipients(session, settings, c))
        await record_posts(session, c.id, posted)
        await close_topic(bot, c)
        out = closed_message(c, by_user=True)
        if message is not None:
            await message.answer(out.text, reply_markup=out.keyboard)
    elif op == "rate":
        change = await rate(session, callback_data.id, user.id, callback_data.v)
        await query.answer()
        await edit_or_send(
            query, OutMessage(render("consult/rated", c=change.view, changed=change.changed))
        )
    else:
        await query.answer(render("common/stale_button"))


# ----------------------------------------------------------------- staff side
def _replied_to_bot(message: Message) -> bool:
    reply = message.reply_to_message
    return (
        reply is not None
        and reply.from_user is not None
        and message.bot is not None
        and reply.from_user.id == message.bot.id
    )


async def _locate(
    message: Message, session: Session, settings: Settings
) -> ConsultationView | None:
    """The consultation a staff message is about: its forum topic, or the bot's
    consultation message it replies to."""
    chat = message.chat
    thread = message.message_thread_id
    in_topic = message.is_topic_message or bool(chat.is_forum)
    if chat.id == settings.consultant_chat_id and thread is not None and in_topic:
        found = await find_by_thread(session, chat.id, thread)
        if found is not None:
            return found
    if _replied_to_bot(message):
        assert message.reply_to_message is not None
        return await find_by_post(session, chat.id, message.reply_to_message.message_id)
    return None


async def _deliver_answer(
    message: Message,
    c: ConsultationView,
    session: Session,
    settings: Settings,
    user: UserInfo,
    now: datetime,
) -> None:
    text, attachment = _content(message)
    if text is None and attachment is None:
        await message.reply(render("consult/unsupported_answer", c=c))
        return
    change = await add_answer(session, c.id, user.id, text, now, attachment)
    c = change.view
    bot = _bot(message)
    parts: list[PostRef] = []
    try:
        for out in answer_messages(c, text or ""):
            sent = await bot.send_message(c.user_id, out.text, reply_markup=out.keyboard)
            parts.append(PostRef(c.user_id, sent.message_id, "answer"))
        if attachment is not None:
            caption = render("consult/attachment", id=c.id, to_staff=False)
            sent = await send_file(bot, c.user_id, attachment, caption)
            parts.append(PostRef(c.user_id, sent.message_id, "answer"))
    except TelegramForbiddenError:
        await set_active(session, c.user_id, False)
        await message.reply(render("consult/delivery_failed", c=c, what="ответ", reason="blocked"))
        return
    except TelegramBadRequest as exc:
        log.warning("answer to consultation %s not delivered: %s", c.id, exc)
        await message.reply(render("consult/delivery_failed", c=c, what="ответ", reason="other"))
        return
    finally:
        await record_posts(session, c.id, parts)  # a reply to any part is a follow-up
    await _refresh_cards(bot, session, settings, change)
    if message.chat.type == "private":
        await message.reply(render("consult/answer_sent", c=c))


async def on_desk_message(
    message: Message,
    session: Session,
    settings: Settings,
    user: UserInfo,
    clock: Clock,
) -> None:
    """Any message in the consultants' chat: an answer when it belongs to a consultation."""
    if message.from_user is None or message.from_user.is_bot:
        raise SkipHandler
    c = await _locate(message, session, settings)
    if c is None:
        if _replied_to_bot(message):
            await message.reply(
                render("consult/not_consultation", forum=bool(message.chat.is_forum))
            )
            return
        raise SkipHandler  # colleagues talking: not ours
    if message.forum_topic_created or message.forum_topic_edited or message.pinned_message:
        raise SkipHandler
    if await role_of(session, user.id, settings.admin_ids, settings.consultant_ids) == "user":
        await message.reply(render("consult/not_staff", user_id=user.id))
        return
    await _deliver_answer(message, c, session, settings, user, clock())


async def on_private_reply(
    message: Message, session: Session, settings: Settings, user: UserInfo, clock: Clock
) -> None:
    """Private mode: a consultant replies to a consultation card the bot sent them."""
    c = await _locate(message, session, settings)
    if c is None:
        raise SkipHandler  # a reply to an ordinary answer: a question for the knowledge base
    await _deliver_answer(message, c, session, settings, user, clock())


async def _close_as_staff(
    bot: Bot, session: Session, settings: Settings, user: UserInfo, c_id: int, now: datetime
) -> tuple[Change, str | None]:
    """Close; tell the user and ask for a rating. Returns the change and a delivery failure."""
    change = await close(session, c_id, user.id, now)
    failure = None
    if change.changed:
        await _refresh_cards(bot, session, settings, change)
        out = closed_message(change.view, by_user=False)
        failure = await _tell_user(bot, session, change.view.user_id, out)
    return change, failure


async def cmd_close(
    message: Message, session: Session, settings: Settings, user: UserInfo, clock: Clock
) -> None:
    c = await _locate(message, session, settings)
    if c is None:
        await message.reply(render("consult/close_where"))
        return
    change, failure = await _close_as_staff(_bot(message), session, settings, user, c.id, clock())
    if not change.changed:
        await message.reply(render("consult/toast", op="already_closed", id=c.id))
        return
    await message.reply(
        render("consult/closed_staff", c=change.view, by_user=False, by_name=user.first_name)
    )
    if failure is not None:
        what = "сообщение о закрытии"
        await message.reply(
            render("consult/delivery_failed", c=change.view, what=what, reason=failure)
        )
    await close_topic(_bot(message), change.view)


async def cmd_queue(message: Message, session: Session, clock: Clock) -> None:
    out = queue_message(await queue(session, 0, QUEUE_PAGE), clock())
    await message.answer(out.text, reply_markup=out.keyboard)


async def on_staff_button(
    query: CallbackQuery,
    callback_data: ConsultCB,
    session: Session,
    settings: Settings,
    user: UserInfo,
    clock: Clock,
) -> None:
    op = callback_data.op
    bot = _bot(query)
    if op == "page":
        await query.answer()
        page = await queue(session, callback_data.v, QUEUE_PAGE)
        await edit_or_send(query, queue_message(page, clock()))
    elif op == "take":
        change = await take(session, callback_data.id, user.id, clock())
        failure = None
        if change.changed:
            await _refresh_cards(bot, session, settings, change, force=True)
            if change.previous == "new":
                out = OutMessage(render("consult/taken", c=change.view))
                failure = await _tell_user(bot, session, change.view.user_id, out)
        text = render("consult/toast", op="taken", id=change.view.id, failed=failure is not None)
        await query.answer(text[:200], show_alert=failure is not None)
    elif op == "close":
        change, failure = await _close_as_staff(
            bot, session, settings, user, callback_data.id, clock()
        )
        op = "closed" if change.changed else "already_closed"
        text = render("consult/toast", op=op, id=change.view.id, failed=failure is not None)
        await query.answer(text[:200], show_alert=failure is not None)
        if change.changed:
            await close_topic(bot, change.view)
    else:
        await query.answer(render("common/stale_button"))


# ----------------------------------------------------------------- admins
def _require_admin(role: str) -> None:
    if role != "admin":
        raise Forbidden("Добавлять и убирать консультантов может только администратор.")


async def cmd_consultant_add(
    message: Message,
    command: CommandObject,
    role: str,
    session: Session,
    settings: Settings,
    user: UserInfo,
    clock: Clock,
) -> None:
    _require_admin(role)
    if not command.args or not command.args.strip():
        await message.answer(render("consult/staff_usage", command="consultant_add"))
        return
    user_id = check_user_id(command.args.split()[0])
    change = await add_consultant(session, user_id, user.id, clock())
    private = settings.consultant_chat_id is None
    await message.answer(staff_added_text(change, private=private))
    if change.changed:
        await staff_menu(_bot(message), user_id, on=True)


async def cmd_consultant_del(
    message: Message, command: CommandObject, role: str, session: Session, settings: Settings
) -> None:
    _require_admin(role)
    if not command.args or not command.args.strip():
        await message.answer(render("consult/staff_usage", command="consultant_del"))
        return
    user_id = check_user_id(command.args.split()[0])
    member = await remove_consultant(
        session, user_id, configured_ids={*settings.consultant_ids, *settings.admin_ids}
    )
    await message.answer(render("consult/staff_removed", member=member))
    await staff_menu(_bot(message), user_id, on=False)


async def cmd_staff(message: Message, session: Session, settings: Settings) -> None:
    members = await list_staff(session, settings.admin_ids, settings.consultant_ids)
    await message.answer(staff_list_text(members))


# ----------------------------------------------------------------- router
def build_router() -> Router:
    router = Router(name="consult")
    router.message.middleware(_Inject(ChatKinds()))
    private = F.chat.type == "private"
    not_command = ~F.text.startswith("/")
    has_content = F.text | F.document | F.photo | F.voice | F.video | F.audio | F.video_note

    # user side: the dialogue (its command handlers first so commands are never swallowed)
    router.message.register(cmd_consult, private, Command("consult"))
    router.message.register(on_state_command, private, StateFilter(ConsultForm), ~not_command)
    router.message.register(
        on_question,
        private,
        StateFilter(ConsultForm.question),
        has_content,
        not_command,
    )
    router.message.register(
        on_follow_up,
        private,
        StateFilter(ConsultForm.follow_up),
        has_content,
        not_command,
    )
    router.message.register(on_state_other, private, StateFilter(ConsultForm), not_command)
    router.message.register(
        on_reply_to_answer,
        private,
        has_content,
        not_command,
        ~IsStaff(),
        answered_consultation,
    )
    router.callback_query.register(on_state_button, StateFilter(ConsultForm), ~ConsultCB.filter())
    router.callback_query.register(on_menu_consult, MenuCB.filter(F.item == "consult"))
    router.callback_query.register(
        on_user_button, ConsultCB.filter(F.op.in_({"cancel", "more", "done", "rate"}))
    )

    # staff side
    router.message.register(cmd_close, Command("close"), IsStaff())
    router.message.register(cmd_queue, Command("queue"), IsStaff())
    router.message.register(cmd_staff, Command("staff"), IsStaff())
    router.message.register(cmd_consultant_add, Command("consultant_add"), IsStaff())
    router.message.register(cmd_consultant_del, Command("consultant_del"), IsStaff())
    router.message.register(on_desk_message, InConsultantChat(), not_command)
    router.message.register(
        on_private_reply, private, F.reply_to_message.from_user.is_bot, not_command, IsStaff()
    )
    router.callback_query.register(
        on_staff_button, ConsultCB.filter(F.op.in_({"take", "close", "page"})), IsStaff()
    )
    return router
