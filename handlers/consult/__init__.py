"""Consultations with a live consultant: thin routers per audience over bot/flows/consult.py.

User side (private chat, `dialogue` and `user`): the «Консультант» menu button and /consult
ask for the question (FSM; «Отмена», /cancel or any other command cancel it, and that
command still runs). The answer arrives as «Ответ консультанта» with «Уточнить» (the next
message goes to the same consultation; so does a direct reply to the answer) and «Закрыть
вопрос»; after closing comes a 1–5 rating.

Staff side (`desk`; see bot/telegram/desk.py for where consultations appear): a message in
the consultation's topic, or a reply to one of the bot's consultation messages, goes to the
user; /close or «Закрыть» closes; «Взять в работу» takes; /queue lists open ones. Admins
(`admin`): /consultant_add ID, /consultant_del ID; /staff lists staff. For anyone else these
commands do not match (IsStaff) and the fallback gives its ordinary unknown-command answer.

This router must come right after the errors router: the dialogue's state handlers cancel
the consultation dialogue when another command or button is used, then let it through."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import TelegramObject

from bot.flows.consult import ConsultContext
from bot.telegram.desk import ChatKinds
from handlers.consult import admin, desk, dialogue, user


class _Context(BaseMiddleware):
    """Gives the handlers one `consult` context (bot, session, settings, user, now, and the
    cache of chat kinds: getChat once per chat)."""

    def __init__(self, kinds: ChatKinds) -> None:
        self.kinds = kinds

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user_info, clock = data.get("user"), data.get("clock")
        if user_info is not None and clock is not None:
            data["consult"] = ConsultContext(
                data["bot"], data["session"], data["settings"], user_info, clock(), self.kinds
            )
        return await handler(event, data)


def build_router() -> Router:
    router = Router(name="consult")
    context = _Context(ChatKinds())
    router.message.middleware(context)
    router.callback_query.middleware(context)
    # the dialogue first: its command handlers must never be swallowed
    router.include_routers(
        dialogue.build_router(), user.build_router(), desk.build_router(), admin.build_router()
    )
    return router
