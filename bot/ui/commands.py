"""The bot's command menu (setMyCommands) and the list /help shows."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import BotCommand


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str


COMMANDS: tuple[Command, ...] = (
    Command("start", "Начать и открыть главное меню"),
    Command("menu", "Главное меню"),
    Command("find", "Найти закупку: /find поставка бумаги"),
    Command("reminders", "Мои подписки и напоминания"),
    Command("settings", "Сроки напоминаний, часовой пояс, тихие часы"),
    Command("stats", "Статистика закупок: /stats 74 2026"),
    Command("faq", "Разделы базы знаний"),
    Command("glossary", "Что значит термин: /glossary НМЦК"),
    Command("consult", "Вопрос живому консультанту"),
    Command("help", "Как пользоваться ботом"),
)


def bot_commands() -> list[BotCommand]:
    return [BotCommand(command=c.name, description=c.description) for c in COMMANDS]
