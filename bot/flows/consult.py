"""The consultation workflow: a service call, then the desk (Telegram), then the record of
what was posted, so a reply to any of those messages finds its consultation again.

Every step takes one `ConsultContext` (who acts, when, and through which bot and session);
handlers/consult/ builds it once per update and stays a thin router."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message

from bot.config import Settings
from bot.services import Session
from bot.services.consultations import (
    About,
    Attachment,
    Change,
    ConsultationView,
    PostRef,
    Status,
    add_answer,
    add_follow_up,
    close,
    find_by_post,
    find_by_thread,
    open_consultation,
    posts_of,
    record_posts,
    take,
)
from bot.services.roles import staff_ids
from bot.services.users import UserInfo, set_active, timezones_of
from bot.telegram.desk import ChatKinds, close_topic, edit_cards, notify_staff, publish
from bot.telegram.errors import ErrorKind, classify
from bot.telegram.send import send_file
from bot.ui.answers import OutMessage
from bot.ui.consult import (
    accepted_message,
    answer_messages,
    closed_message,
    follow_up_note,
    queued_message,
)
from bot.ui.render import render

log = logging.getLogger("smebot.consult")


@dataclass(frozen=True, slots=True)
class ConsultContext:
    """What every step needs: the bot, the session, the settings, who acts and when."""

    bot: Bot
    session: Session
    settings: Settings
    user: UserInfo
    now: datetime
    kinds: ChatKinds

    async def staff(self) -> list[int]:
        return await staff_ids(self.session, self.settings.admin_ids, self.settings.consultant_ids)

    async def recipients(self, c: ConsultationView) -> list[int]:
        """Who gets private notes about `c`: the consultant who took it, else all staff."""
        return [c.consultant_id] if c.consultant_id is not None else await self.staff()

    async def zones(self, chat_ids: list[int]) -> dict[int, str]:
        """The time zone each staff member chose, for their private chat (by chat id)."""
        return await timezones_of(self.session, [i for i in chat_ids if i > 0])

    async def refresh_cards(self, change: Change, *, force: bool = False) -> None:
        """Show a new status (or, with `force`, a new consultant) on every card."""
        if force or change.view.status != change.previous:
            cards = await posts_of(self.session, change.view.id, "card")
            zones = await self.zones([post.chat_id for post in cards])
            tz = self.settings.default_timezone
            await edit_cards(self.bot, change.view, cards, tz, zones)


def content(message: Message) -> tuple[str | None, Attachment | None]:
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


async def undelivered(session: Session, user_id: int, exc: TelegramAPIError) -> str:
    """Why a message to a user failed: "blocked" (and the user is marked inactive: the one
    place that does it for chat messages) or "other"."""
    if classify(exc) is ErrorKind.BLOCKED:
        await set_active(session, user_id, False)
        return "blocked"
    return "other"


async def tell_user(ctx: ConsultContext, user_id: int, out: OutMessage) -> str | None:
    """Send to the user; None when delivered, else "blocked" / "other" (never raises)."""
    try:
        await ctx.bot.send_message(user_id, out.text, reply_markup=out.keyboard)
    except TelegramAPIError as exc:
        failure = await undelivered(ctx.session, user_id, exc)
        if failure != "blocked":
            log.warning("message to user %s failed: %s", user_id, exc)
        return failure
    return None


# ----------------------------------------------------------------- user side
async def submit(
    ctx: ConsultContext,
    message: Message,
    text: str | None,
    attachment: Attachment | None,
    about: About | None = None,
) -> None:
    """A new question (`about` a card or the bot's answer): record it, confirm it to the
    user, post it where consultants see it."""
    settings = ctx.settings
    recipients = await ctx.staff()
    c = await open_consultation(ctx.session, ctx.user.id, text, ctx.now, attachment, about)
    if settings.consultant_chat_id is None and not recipients:
        # kept, never dropped: consultants see it in /queue and the SLA job announces it
        log.warning("consultation %s queued: no consultant is configured", c.id)
        out = queued_message(c)
        await message.answer(out.text, reply_markup=out.keyboard)
        return
    out = accepted_message(c)
    await message.answer(out.text, reply_markup=out.keyboard)
    posted = await publish(
        ctx.bot,
        c,
        chat_id=settings.consultant_chat_id,
        kinds=ctx.kinds,
        recipients=recipients,
        tz=settings.default_timezone,
        zones=await ctx.zones(recipients),
    )
    if not posted:
        log.error("consultation %s reached no consultant; the SLA job will retry", c.id)
    await record_posts(ctx.session, c.id, posted)


async def follow_up(ctx: ConsultContext, message: Message, consultation_id: int) -> None:
    """The user adds to their consultation: a note to staff where it lives."""
    text, attachment = content(message)
    change = await add_follow_up(
        ctx.session, consultation_id, ctx.user.id, text, ctx.now, attachment
    )
    c = change.view
    note = follow_up_note(c, text or "", attachment is not None)
    posted = await notify_staff(ctx.bot, c, note, await ctx.recipients(c), attachment=attachment)
    await record_posts(ctx.session, c.id, posted)
    await ctx.refresh_cards(change)
    await message.answer(render("consult/follow_up_sent", c=c))


async def closed_by_user(ctx: ConsultContext, change: Change, message: Message | None) -> None:
    """After the user closed their consultation: cards, a note to staff, the topic, the user."""
    c = change.view
    await ctx.refresh_cards(change)
    note = OutMessage(render("consult/closed_staff", c=c, by_user=True, by_name=""))
    posted = await notify_staff(ctx.bot, c, note, await ctx.recipients(c))
    await record_posts(ctx.session, c.id, posted)
    await close_topic(ctx.bot, c)
    out = closed_message(c, by_user=True)
    if message is not None:
        await message.answer(out.text, reply_markup=out.keyboard)


# ----------------------------------------------------------------- staff side
def replied_to_bot(message: Message) -> bool:
    reply = message.reply_to_message
    return (
        reply is not None
        and reply.from_user is not None
        and message.bot is not None
        and reply.from_user.id == message.bot.id
    )


async def locate(message: Message, session: Session, settings: Settings) -> ConsultationView | None:
    """The consultation a staff message is about: its forum topic, or the bot's
    consultation message it replies to."""
    chat = message.chat
    thread = message.message_thread_id
    in_topic = message.is_topic_message or bool(chat.is_forum)
    if chat.id == settings.consultant_chat_id and thread is not None and in_topic:
        found = await find_by_thread(session, chat.id, thread)
        if found is None and not replied_to_bot(message):
            # a topic the bot opened a moment ago: its record may not be committed yet
            found = await _recorded_soon(session, lambda: find_by_thread(session, chat.id, thread))
        if found is not None:
            return found
    if replied_to_bot(message):
        replied = message.reply_to_message
        assert replied is not None
        found = await find_by_post(session, chat.id, replied.message_id)
        recent = message.date - replied.date < RECENT_POST
        if found is None and recent and names_a_consultation(replied):
            found = await _recorded_soon(
                session, lambda: find_by_post(session, chat.id, replied.message_id)
            )
        return found
    return None


# A card is recorded after Telegram has accepted it, so a consultant who replies at once can
# overtake that commit (updates are handled concurrently): a reply to a bot message sent a
# moment ago that may be such a post waits for its record a little before it counts as a
# reply to something else. Every post the desk records names its consultation in its first
# line («🧑‍💼 Вопрос №12 · новый», «✏️ Уточнение к вопросу №12», «📎 Вложение к вопросу №12»);
# a message that does not (a menu, the /queue listing, an article) is known not to be one.
RECENT_POST = timedelta(minutes=2)
RECORD_WAIT_SECONDS = 8.0
RECORD_POLL_SECONDS = 0.2
POST_HEADER_RE = re.compile(r"№\d")


def names_a_consultation(replied: Message) -> bool:
    """Whether the bot's message `replied` may be a consultation post (see above)."""
    first_line = (replied.text or replied.caption or "").split("\n", 1)[0]
    return POST_HEADER_RE.search(first_line) is not None


async def _recorded_soon(
    session: Session, find: Callable[[], Awaitable[ConsultationView | None]]
) -> ConsultationView | None:
    """Poll `find` for a while. This update's own transaction (the user's registration or
    last-seen write) is committed first: on SQLite it would hold the write lock the card's
    handler needs for the very commit we are waiting for."""
    await session.commit()
    deadline = asyncio.get_running_loop().time() + RECORD_WAIT_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(RECORD_POLL_SECONDS)
        found = await find()
        if found is not None:
            return found
    return None


async def deliver_answer(ctx: ConsultContext, message: Message, c: ConsultationView) -> None:
    """A consultant's message becomes the answer: to the user in parts, each recorded."""
    text, attachment = content(message)
    if text is None and attachment is None:
        await message.reply(render("consult/unsupported_answer", c=c))
        return
    change = await add_answer(ctx.session, c.id, ctx.user.id, text, ctx.now, attachment)
    c = change.view
    parts: list[PostRef] = []
    try:
        for out in answer_messages(c, text or ""):
            sent = await ctx.bot.send_message(c.user_id, out.text, reply_markup=out.keyboard)
            parts.append(PostRef(c.user_id, sent.message_id, "answer"))
        if attachment is not None:
            caption = render("consult/attachment", id=c.id, to_staff=False)
            sent = await send_file(ctx.bot, c.user_id, attachment, caption)
            parts.append(PostRef(c.user_id, sent.message_id, "answer"))
    except TelegramAPIError as exc:
        if classify(exc) in (ErrorKind.THROTTLED, ErrorKind.TRANSIENT):
            raise
        failure = await undelivered(ctx.session, c.user_id, exc)
        if failure != "blocked":
            log.warning("answer to consultation %s not delivered: %s", c.id, exc)
        what = "ответ"
        await message.reply(render("consult/delivery_failed", c=c, what=what, reason=failure))
        return
    finally:
        await record_posts(ctx.session, c.id, parts)  # a reply to any part is a follow-up
    await ctx.refresh_cards(change)
    if message.chat.type == "private":
        await message.reply(render("consult/answer_sent", c=c))


async def close_as_staff(ctx: ConsultContext, consultation_id: int) -> tuple[Change, str | None]:
    """Close; tell the user and ask for a rating. Returns the change and a delivery failure."""
    change = await close(ctx.session, consultation_id, ctx.user.id, ctx.now)
    failure = None
    if change.changed:
        await ctx.refresh_cards(change)
        out = closed_message(change.view, by_user=False)
        failure = await tell_user(ctx, change.view.user_id, out)
    return change, failure


async def take_as_staff(ctx: ConsultContext, consultation_id: int) -> tuple[Change, str | None]:
    """Take (or take over); a new consultation's user hears who took it."""
    change = await take(ctx.session, consultation_id, ctx.user.id, ctx.now)
    failure = None
    if change.changed:
        await ctx.refresh_cards(change, force=True)
        if change.previous == Status.NEW:
            out = OutMessage(render("consult/taken", c=change.view))
            failure = await tell_user(ctx, change.view.user_id, out)
    return change, failure
