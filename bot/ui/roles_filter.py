"""Reusable aiogram filters for staff-only handlers (consultants and admins).

    from bot.ui.roles_filter import IsStaff

    router.message.register(cmd_kb_edit, Command("kb_edit"), IsStaff())
    router.message.register(cmd_danger, Command("danger"), IsStaff(admin_only=True))

`IsStaff()` passes for admins (ADMIN_IDS) and consultants (CONSULTANT_IDS and those added
with /consultant_add) and puts their `role` ("admin" | "consultant") into the handler's
arguments. For anyone else it does not match, so the update goes on to the next handlers
(for a command: the fallback's ordinary unknown-command answer — nothing is revealed).
It needs the `session` (DbSessionMiddleware) and `settings` (dispatcher data); without them
it does not match."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import Chat, TelegramObject, User

from bot.config import Settings
from bot.services import Session
from bot.services.roles import role_of


class IsStaff(Filter):
    """Matches staff; `admin_only=True` matches admins only. Adds `role` to the data."""

    def __init__(self, *, admin_only: bool = False) -> None:
        self.admin_only = admin_only

    def __str__(self) -> str:
        return f"IsStaff(admin_only={self.admin_only})"

    async def __call__(
        self,
        event: TelegramObject,
        event_from_user: User | None = None,
        session: Session | None = None,
        settings: Settings | None = None,
    ) -> bool | dict[str, Any]:
        if event_from_user is None or event_from_user.is_bot:
            return False
        if session is None or settings is None:
            return False
        role = await role_of(
            session, event_from_user.id, settings.admin_ids, settings.consultant_ids
        )
        if role == "user" or (self.admin_only and role != "admin"):
            return False
        return {"role": role}


class InConsultantChat(Filter):
    """Matches messages and button presses in CONSULTANT_CHAT_ID (the consultants' chat)."""

    def __str__(self) -> str:
        return "InConsultantChat()"

    async def __call__(
        self,
        event: TelegramObject,
        settings: Settings | None = None,
        event_chat: Chat | None = None,
    ) -> bool:
        chat_id = settings.consultant_chat_id if settings is not None else None
        return chat_id is not None and event_chat is not None and event_chat.id == chat_id
