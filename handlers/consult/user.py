"""The user's side of a consultation (private chat): follow-ups, closing, rating."""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.flows import consult as flow
from bot.flows.consult import ConsultContext
from bot.services import Session
from bot.services.consultations import check_open, close, find_by_post, rate
from bot.telegram.callbacks import Answer
from bot.telegram.send import edit_or_send
from bot.ui.answers import OutMessage
from bot.ui.consult import ConsultCB, ConsultOp, Toast, follow_up_prompt
from bot.ui.render import render
from bot.ui.roles_filter import IsStaff
from handlers.consult.dialogue import ConsultForm, start_dialogue
from handlers.consult.filters import HAS_CONTENT, NOT_COMMAND, PRIVATE


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
                    if parsed.op == ConsultOp.MORE:
                        return {"consultation_id": parsed.id}
    asker = message.from_user.id if message.from_user else 0
    c = await find_by_post(session, message.chat.id, reply.message_id, ("answer",))
    return {"consultation_id": c.id} if c is not None and c.user_id == asker else False


async def on_reply_to_answer(
    message: Message, consultation_id: int, consult: ConsultContext
) -> None:
    """A reply to «Ответ консультанта» is a follow-up, as if «Уточнить» had been pressed
    (`consultation_id` comes from the filter)."""
    await flow.follow_up(consult, message, consultation_id)


async def on_more(
    query: CallbackQuery, callback_data: ConsultCB, state: FSMContext, consult: ConsultContext
) -> None:
    c = await check_open(consult.session, callback_data.id, consult.user.id)
    await start_dialogue(state, ConsultForm.follow_up, consult.now, c.id)
    out = follow_up_prompt(c.id)
    if isinstance(query.message, Message):
        await query.message.answer(out.text, reply_markup=out.keyboard)


async def on_done(
    query: CallbackQuery,
    callback_data: ConsultCB,
    consult: ConsultContext,
    callback_answer: Answer,
) -> None:
    change = await close(
        consult.session, callback_data.id, consult.user.id, consult.now, as_owner=True
    )
    if not change.changed:
        callback_answer.text = render("consult/toast", op=Toast.ALREADY_CLOSED, id=change.view.id)
        return
    await callback_answer.now()  # not after the notes to staff below
    message = query.message if isinstance(query.message, Message) else None
    await flow.closed_by_user(consult, change, message)


async def on_rate(query: CallbackQuery, callback_data: ConsultCB, consult: ConsultContext) -> None:
    change = await rate(consult.session, callback_data.id, consult.user.id, callback_data.v)
    await edit_or_send(
        query, OutMessage(render("consult/rated", c=change.view, changed=change.changed))
    )


def build_router() -> Router:
    router = Router(name="consult.user")
    router.message.filter(PRIVATE)
    # the cheap checks first: only a reply to one of the bot's messages asks for the role
    router.message.register(
        on_reply_to_answer,
        HAS_CONTENT,
        NOT_COMMAND,
        F.reply_to_message.from_user.is_bot,
        ~IsStaff(),
        answered_consultation,
    )
    router.callback_query.register(on_more, ConsultCB.filter(F.op == ConsultOp.MORE))
    router.callback_query.register(on_done, ConsultCB.filter(F.op == ConsultOp.DONE))
    router.callback_query.register(on_rate, ConsultCB.filter(F.op == ConsultOp.RATE))
    return router
