"""The consultants' side: answers (in the consultants' chat or privately), /close, /queue,
and the buttons under cards and the queue."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.flows import consult as flow
from bot.flows.consult import ConsultContext
from bot.services import Clock, Session
from bot.services.consultations import queue
from bot.services.roles import role_of
from bot.telegram.callbacks import PRE
from bot.telegram.desk import close_topic
from bot.telegram.send import edit_or_send
from bot.ui.consult import QUEUE_PAGE, ConsultCB, ConsultOp, Toast, queue_message
from bot.ui.render import render
from bot.ui.roles_filter import InConsultantChat, IsStaff
from handlers.consult.filters import NOT_COMMAND, PRIVATE

STAFF_OPS = {ConsultOp.TAKE, ConsultOp.CLOSE, ConsultOp.PAGE}


async def on_desk_message(message: Message, consult: ConsultContext) -> None:
    """Any message in the consultants' chat: an answer when it belongs to a consultation."""
    if message.from_user is None or message.from_user.is_bot:
        raise SkipHandler
    settings, user = consult.settings, consult.user
    c = await flow.locate(message, consult.session, settings)
    if c is None:
        if flow.replied_to_bot(message):
            await message.reply(
                render("consult/not_consultation", forum=bool(message.chat.is_forum))
            )
            return
        raise SkipHandler  # colleagues talking: not ours
    if message.forum_topic_created or message.forum_topic_edited or message.pinned_message:
        raise SkipHandler
    role = await role_of(consult.session, user.id, settings.admin_ids, settings.consultant_ids)
    if role == "user":
        await message.reply(render("consult/not_staff", user_id=user.id))
        return
    await flow.deliver_answer(consult, message, c)


async def on_private_reply(message: Message, consult: ConsultContext) -> None:
    """Private mode: a consultant replies to a consultation card the bot sent them."""
    c = await flow.locate(message, consult.session, consult.settings)
    if c is None:
        raise SkipHandler  # a reply to an ordinary answer: a question for the knowledge base
    await flow.deliver_answer(consult, message, c)


async def cmd_close(message: Message, consult: ConsultContext) -> None:
    c = await flow.locate(message, consult.session, consult.settings)
    if c is None:
        await message.reply(render("consult/close_where"))
        return
    change, failure = await flow.close_as_staff(consult, c.id)
    if not change.changed:
        await message.reply(render("consult/toast", op=Toast.ALREADY_CLOSED, id=c.id))
        return
    by_name = consult.user.first_name
    await message.reply(
        render("consult/closed_staff", c=change.view, by_user=False, by_name=by_name)
    )
    if failure is not None:
        what = "сообщение о закрытии"
        await message.reply(
            render("consult/delivery_failed", c=change.view, what=what, reason=failure)
        )
    await close_topic(consult.bot, change.view)


async def cmd_queue(message: Message, session: Session, clock: Clock) -> None:
    out = queue_message(await queue(session, 0, QUEUE_PAGE), clock())
    await message.answer(out.text, reply_markup=out.keyboard)


async def on_page(
    query: CallbackQuery, callback_data: ConsultCB, session: Session, clock: Clock
) -> None:
    page = await queue(session, callback_data.v, QUEUE_PAGE)
    await edit_or_send(query, queue_message(page, clock()))


def _toast(answer: CallbackAnswer, op: Toast, consultation_id: int, failure: str | None) -> None:
    text = render("consult/toast", op=op, id=consultation_id, failed=failure is not None)
    answer.text, answer.show_alert = text[:200], failure is not None


async def on_take(
    _query: CallbackQuery,
    callback_data: ConsultCB,
    consult: ConsultContext,
    callback_answer: CallbackAnswer,
) -> None:
    change, failure = await flow.take_as_staff(consult, callback_data.id)
    _toast(callback_answer, Toast.TAKEN, change.view.id, failure)


async def on_close(
    _query: CallbackQuery,
    callback_data: ConsultCB,
    consult: ConsultContext,
    callback_answer: CallbackAnswer,
) -> None:
    change, failure = await flow.close_as_staff(consult, callback_data.id)
    op = Toast.CLOSED if change.changed else Toast.ALREADY_CLOSED
    _toast(callback_answer, op, change.view.id, failure)
    if change.changed:
        await close_topic(consult.bot, change.view)


def build_router() -> Router:
    router = Router(name="consult.desk")
    # the cheap check first: only the staff buttons ask the database for the role
    router.callback_query.filter(ConsultCB.filter(F.op.in_(STAFF_OPS)), IsStaff())
    router.message.register(cmd_close, Command("close"), IsStaff())
    router.message.register(cmd_queue, Command("queue"), IsStaff())
    router.message.register(on_desk_message, InConsultantChat(), NOT_COMMAND)
    router.message.register(
        on_private_reply, PRIVATE, F.reply_to_message.from_user.is_bot, NOT_COMMAND, IsStaff()
    )
    router.callback_query.register(on_page, ConsultCB.filter(F.op == ConsultOp.PAGE), flags=PRE)
    router.callback_query.register(on_take, ConsultCB.filter(F.op == ConsultOp.TAKE))
    router.callback_query.register(on_close, ConsultCB.filter(F.op == ConsultOp.CLOSE))
    return router
