"""Telegram side of the consultants' desk, shared by the consultation flow and the SLA job.

Where consultants see a consultation (its venue):
* CONSULTANT_CHAT_ID is a forum supergroup: one topic per consultation «№N · first words»;
* a plain group: a card with «Взять в работу» / «Закрыть»; they answer by replying to it;
* no chat configured (or it is unreachable): the card goes privately to every consultant
  and admin; they answer by replying to it.
Every message posted here is returned as `PostRef` so the caller can record it (a reply to
any of them finds the consultation). Nothing here touches the database."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import BotCommandScopeChat

from bot.services.consultations import Attachment, ConsultationView, PostRef
from bot.telegram.errors import ErrorKind, classify
from bot.telegram.send import send, send_file
from bot.ui.answers import OutMessage
from bot.ui.commands import bot_commands
from bot.ui.consult import card_message, question_notes, staff_commands, topic_name
from bot.ui.render import render

log = logging.getLogger("smebot.consult")


class ChatKinds:
    """Whether a chat is a forum: asked with getChat once per chat, then cached."""

    def __init__(self) -> None:
        self._forum: dict[int, bool] = {}

    async def is_forum(self, bot: Bot, chat_id: int) -> bool | None:
        """True / False, or None when the chat cannot be read (the bot is not in it)."""
        if chat_id in self._forum:
            return self._forum[chat_id]
        try:
            chat = await bot.get_chat(chat_id)
        except TelegramAPIError as exc:
            log.warning("consultants' chat %s is not reachable: %s", chat_id, exc)
            return None
        self._forum[chat_id] = bool(chat.is_forum)
        return self._forum[chat_id]


async def _card(
    bot: Bot,
    c: ConsultationView,
    chat_id: int,
    *,
    venue: str,
    tz: str,
    thread_id: int | None = None,
) -> list[PostRef]:
    card = await send(bot, chat_id, card_message(c, tz, venue), thread_id=thread_id)
    posted = [PostRef(chat_id, card.message_id, "card", venue != "private", thread_id)]
    for note in question_notes(c):  # the rest of a long question
        try:
            sent = await send(bot, chat_id, note, thread_id=thread_id, reply_to=card.message_id)
            posted.append(PostRef(chat_id, sent.message_id, "note"))
        except TelegramBadRequest as exc:
            log.warning("rest of the question %s not posted: %s", c.id, exc)
    if c.attachment is not None:
        caption = render("consult/attachment", id=c.id, to_staff=True)
        try:
            file = await send_file(
                bot, chat_id, c.attachment, caption, thread_id=thread_id, reply_to=card.message_id
            )
            posted.append(PostRef(chat_id, file.message_id, "note"))
        except TelegramBadRequest as exc:
            log.warning("attachment of consultation %s not posted: %s", c.id, exc)
    return posted


async def publish(
    bot: Bot,
    c: ConsultationView,
    *,
    chat_id: int | None,
    kinds: ChatKinds,
    recipients: list[int],
    tz: str,
    zones: Mapping[int, str] | None = None,
) -> list[PostRef]:
    """Post a new consultation where consultants see it (see the module doc). Times are
    shown in `tz` (the default zone, named on the card) in a chat, and in each consultant's
    own zone (`zones`, by user id) in their private chat."""
    if chat_id is not None:
        forum = await kinds.is_forum(bot, chat_id)
        if forum:
            try:
                topic = await bot.create_forum_topic(chat_id, topic_name(c))
            except TelegramAPIError as exc:  # no right to manage topics: post in General
                log.warning("cannot create a topic in %s: %s", chat_id, exc)
            else:
                try:
                    return await _card(
                        bot, c, chat_id, venue="forum", tz=tz, thread_id=topic.message_thread_id
                    )
                except TelegramAPIError as exc:
                    log.warning("cannot post consultation %s in its topic: %s", c.id, exc)
        if forum is not None:
            try:
                return await _card(bot, c, chat_id, venue="group", tz=tz)
            except TelegramAPIError as exc:
                log.warning("cannot post consultation %s in chat %s: %s", c.id, chat_id, exc)
    posted: list[PostRef] = []
    for recipient in recipients:
        try:
            zone = (zones or {}).get(recipient, tz)
            posted += await _card(bot, c, recipient, venue="private", tz=zone)
        except TelegramAPIError as exc:  # never started the bot, blocked it, …
            log.info("consultation %s not delivered to staff %s: %s", c.id, recipient, exc)
    return posted


async def notify_staff(
    bot: Bot,
    c: ConsultationView,
    out: OutMessage,
    recipients: list[int],
    *,
    attachment: Attachment | None = None,
) -> list[PostRef]:
    """A note about `c` where it lives: in its topic, as a reply to its card in the group, or
    privately to `recipients`. Failures are logged; what was posted is returned."""
    if c.chat_id is not None:
        targets = [(c.chat_id, c.thread_id, None if c.thread_id else c.message_id)]
    else:
        targets = [(r, None, None) for r in recipients]
    posted: list[PostRef] = []
    caption = render("consult/attachment", id=c.id, to_staff=True)
    for chat_id, thread_id, reply_to in targets:
        try:
            note = await send(bot, chat_id, out, thread_id=thread_id, reply_to=reply_to)
            posted.append(PostRef(chat_id, note.message_id, "note"))
            if attachment is not None:
                file = await send_file(
                    bot, chat_id, attachment, caption, thread_id=thread_id, reply_to=note.message_id
                )
                posted.append(PostRef(chat_id, file.message_id, "note"))
        except TelegramAPIError as exc:
            if classify(exc) is ErrorKind.THROTTLED:
                raise
            log.info("note on consultation %s not delivered to %s: %s", c.id, chat_id, exc)
    return posted


async def edit_cards(
    bot: Bot,
    c: ConsultationView,
    cards: list[PostRef],
    tz: str,
    zones: Mapping[int, str] | None = None,
) -> None:
    """Show the new status on every card of `c` (best effort: old cards may be gone), in
    each private chat's own zone (`zones`), else in `tz`."""
    for post in cards:
        out = card_message(c, (zones or {}).get(post.chat_id, tz))
        try:
            await bot.edit_message_text(
                out.text,
                chat_id=post.chat_id,
                message_id=post.message_id,
                reply_markup=out.keyboard,
            )
        except TelegramAPIError as exc:
            if classify(exc) is not ErrorKind.NOT_MODIFIED:
                log.info("card %s/%s not updated: %s", post.chat_id, post.message_id, exc)


async def staff_menu(bot: Bot, chat_id: int, *, on: bool) -> None:
    """Best effort: the staff commands in the command menu of one chat (a consultant's
    private chat, or the consultants' chat); `on=False` restores the ordinary menu."""
    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        if on:
            await bot.set_my_commands(staff_commands(bot_commands()), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramAPIError as exc:  # never started the bot, not a member, …
        log.info("command menu of %s not updated: %s", chat_id, exc)


async def staff_menus(bot: Bot, chat_ids: list[int]) -> None:
    """At start-up: staff menus for every staff member and the consultants' chat."""
    for chat_id in dict.fromkeys(chat_ids):
        await staff_menu(bot, chat_id, on=True)


async def close_topic(bot: Bot, c: ConsultationView) -> None:
    """Close the forum topic of a closed consultation (after its last note), so the list of
    topics shows what is still open. Without the right to manage topics it stays open."""
    if c.chat_id is None or c.thread_id is None:
        return
    try:
        await bot.close_forum_topic(c.chat_id, c.thread_id)
    except TelegramAPIError as exc:
        log.info("cannot close the topic of consultation %s: %s", c.id, exc)
