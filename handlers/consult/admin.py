"""Admins manage the staff: /consultant_add ID, /consultant_del ID; staff see /staff."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.config import Settings
from bot.flows.consult import ConsultContext
from bot.services import Session
from bot.services.errors import Forbidden
from bot.services.roles import add_consultant, check_user_id, list_staff, remove_consultant
from bot.telegram.desk import staff_menu
from bot.ui.consult import staff_added_text, staff_list_text
from bot.ui.render import render
from bot.ui.roles_filter import IsStaff

COMMANDS = ("staff", "consultant_add", "consultant_del")


def _require_admin(role: str) -> None:
    if role != "admin":
        raise Forbidden("Добавлять и убирать консультантов может только администратор.")


async def cmd_consultant_add(
    message: Message, command: CommandObject, role: str, consult: ConsultContext
) -> None:
    _require_admin(role)
    if not command.args or not command.args.strip():
        await message.answer(render("consult/staff_usage", command="consultant_add"))
        return
    user_id = check_user_id(command.args.split()[0])
    change = await add_consultant(consult.session, user_id, consult.user.id, consult.now)
    private = consult.settings.consultant_chat_id is None
    await message.answer(staff_added_text(change, private=private))
    if change.changed:
        await staff_menu(consult.bot, user_id, on=True)


async def cmd_consultant_del(
    message: Message,
    command: CommandObject,
    role: str,
    session: Session,
    settings: Settings,
    bot: Bot,
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
    await staff_menu(bot, user_id, on=False)


async def cmd_staff(message: Message, session: Session, settings: Settings) -> None:
    members = await list_staff(session, settings.admin_ids, settings.consultant_ids)
    await message.answer(staff_list_text(members))


def build_router() -> Router:
    router = Router(name="consult.admin")
    # the cheap check first: only these commands ask the database for the role
    router.message.filter(Command(*COMMANDS), IsStaff())
    router.message.register(cmd_staff, Command("staff"))
    router.message.register(cmd_consultant_add, Command("consultant_add"))
    router.message.register(cmd_consultant_del, Command("consultant_del"))
    return router
