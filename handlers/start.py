"""/start, /help, /menu and the main menu buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.services.users import UserInfo
from bot.ui.callbacks import MenuCB
from bot.ui.commands import COMMANDS
from bot.ui.keyboards import main_menu
from bot.ui.render import render


async def cmd_start(message: Message, user: UserInfo) -> None:
    await message.answer(render("start/welcome", name=user.first_name), reply_markup=main_menu())


async def cmd_help(message: Message) -> None:
    await message.answer(render("start/help", commands=COMMANDS), reply_markup=main_menu())


async def cmd_menu(message: Message) -> None:
    await message.answer(render("start/menu"), reply_markup=main_menu())


async def on_menu(query: CallbackQuery) -> None:
    await query.answer()
    if query.message is not None:
        await query.message.answer(render("start/menu"), reply_markup=main_menu())


async def on_ask(query: CallbackQuery) -> None:
    await query.answer()
    if query.message is not None:
        await query.message.answer(render("start/ask_prompt"))


def build_router() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == "private")
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    router.message.register(cmd_menu, Command("menu"))
    router.callback_query.register(on_menu, MenuCB.filter(F.item == "menu"))
    router.callback_query.register(on_ask, MenuCB.filter(F.item == "ask"))
    return router
