"""/start, /help, /menu and the main menu buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.services import Session
from bot.services.roles import role_of
from bot.services.users import UserInfo
from bot.telegram.callbacks import PRE
from bot.ui.callbacks import MenuCB, MenuItem
from bot.ui.commands import ADMIN_COMMANDS, COMMANDS, STAFF_COMMANDS, Command
from bot.ui.keyboards import main_menu
from bot.ui.render import render


async def cmd_start(message: Message, user: UserInfo) -> None:
    await message.answer(render("start/welcome", name=user.first_name), reply_markup=main_menu())


async def cmd_help(message: Message, session: Session, settings: Settings) -> None:
    """The public commands; consultants and admins also see theirs."""
    staff: tuple[Command, ...] = ()
    if message.from_user is not None:
        role = await role_of(
            session, message.from_user.id, settings.admin_ids, settings.consultant_ids
        )
        if role != "user":
            staff = STAFF_COMMANDS + (ADMIN_COMMANDS if role == "admin" else ())
    await message.answer(
        render("start/help", commands=COMMANDS, staff_commands=staff), reply_markup=main_menu()
    )


async def cmd_menu(message: Message) -> None:
    await message.answer(render("start/menu"), reply_markup=main_menu())


async def on_menu(query: CallbackQuery) -> None:
    if query.message is not None:
        await query.message.answer(render("start/menu"), reply_markup=main_menu())


async def on_ask(query: CallbackQuery) -> None:
    if query.message is not None:
        await query.message.answer(render("start/ask_prompt"))


def build_router() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == "private")
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, CommandFilter("help"))
    router.message.register(cmd_menu, CommandFilter("menu"))
    router.callback_query.register(on_menu, MenuCB.filter(F.item == MenuItem.MENU), flags=PRE)
    router.callback_query.register(on_ask, MenuCB.filter(F.item == MenuItem.ASK), flags=PRE)
    return router
