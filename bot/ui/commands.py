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
    Command("forget", "Удалить мои данные из бота"),
    Command("help", "Как пользоваться ботом"),
)


# Shown by /help to consultants and admins only (never in the public command menu).
STAFF_COMMANDS: tuple[Command, ...] = (
    Command("queue", "Открытые вопросы пользователей по давности"),
    Command("close", "Закрыть вопрос (ответом на его карточку или в его теме)"),
    Command("kb", "Команды базы знаний; новую статью пришлите файлом .md"),
    Command("kb_edit", "Исправить статью: /kb_edit ID"),
    Command("kb_history", "Версии статьи: /kb_history ID"),
    Command("kb_rollback", "Вернуть версию: /kb_rollback ID ВЕРСИЯ"),
    Command("kb_announce", "Разослать статью подписчикам новостей: /kb_announce ID"),
    Command("kb_gaps", "Вопросы без хорошего ответа, по группам"),
    Command("kb_from", "Черновик статьи из ответа на вопрос: /kb_from НОМЕР"),
    Command("staff", "Кто в команде консультантов"),
)
ADMIN_COMMANDS: tuple[Command, ...] = (
    Command("consultant_add", "Добавить консультанта: /consultant_add ID"),
    Command("consultant_del", "Убрать консультанта: /consultant_del ID"),
)


def bot_commands() -> list[BotCommand]:
    return [BotCommand(command=c.name, description=c.description) for c in COMMANDS]
