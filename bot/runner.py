"""Long-running entry points: polling for real and the console chat."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from sqlalchemy import func, select

from bot.app import (
    build_bot,
    build_dispatcher,
    build_eis_source,
    build_reminders,
    build_scheduler,
    build_storage,
    load_knowledge,
)
from bot.config import ConfigError, Settings
from bot.console import ConsoleSession, run_console
from bot.db import create_engine, create_sessionmaker, upgrade
from bot.services.known_users import KnownUsers
from bot.services.roles import staff_ids
from bot.telegram.desk import staff_menus
from bot.ui.commands import bot_commands
from models.consultation import ConsultationPost
from models.procurement import Procedure

log = logging.getLogger("smebot")
# getUpdates long-poll: an idle bot asks Telegram twice a minute instead of six times; an
# update still arrives at once (Telegram answers the open request as soon as it has one)
LONG_POLL_SECONDS = 30
CONSOLE_TOKEN = "100000000:console-token-not-used-for-any-network-call"


async def run_polling(settings: Settings, token: str) -> None:
    """Migrate, then poll BOT_API_URL; aiogram stops cleanly on SIGINT and SIGTERM."""
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    kb = await load_knowledge(settings, sessionmaker)
    bot = build_bot(settings, token)
    eis = build_eis_source(settings)
    dp = build_dispatcher(
        settings,
        sessionmaker,
        kb=kb,
        storage=build_storage(settings),
        eis=eis,
        known_users=KnownUsers.watching(engine),  # the one process handling updates
    )
    reminders = build_reminders(settings, sessionmaker, bot)
    scheduler = build_scheduler(settings, sessionmaker, eis=eis, reminders=reminders, bot=bot)
    try:
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            raise ConfigError(
                "Telegram rejected BOT_TOKEN (401 Unauthorized): the token is wrong or was "
                "revoked; get the current one from @BotFather"
            ) from None
        except TelegramNetworkError as exc:
            raise ConfigError(
                f"cannot reach the Bot API at {settings.bot_api_url} ({exc.message}); "
                "check the network or BOT_API_URL, or try the bot offline with `make chat`"
            ) from None
        await bot.set_my_commands(bot_commands())
        async with sessionmaker() as session:
            ids = await staff_ids(session, settings.admin_ids, settings.consultant_ids)
        chat = [settings.consultant_chat_id] if settings.consultant_chat_id else []
        await staff_menus(bot, ids + chat)
        await bot.delete_webhook(drop_pending_updates=False)
        scheduler.start()
        log.info("polling %s as @%s", settings.bot_api_url, me.username)
        await dp.start_polling(
            bot, handle_signals=True, close_bot_session=False, polling_timeout=LONG_POLL_SECONDS
        )
    finally:
        await scheduler.stop(reminders.delivery.stop)  # the runs under way finish first
        await dp["question_log"].close()  # also on a failed start (the shutdown hook did not run)
        await reminders.stop()
        await dp.storage.close()
        close = getattr(eis, "close", None)
        if close is not None:
            await close()
        await bot.session.close()
        await engine.dispose()
        log.info("stopped")


async def run_console_chat(
    settings: Settings,
    read_line: Callable[[], str | None],
    out: TextIO,
    log_file: Path | None = None,
) -> None:
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as db:
        no_data = await db.scalar(select(Procedure.id).limit(1)) is None
        # message ids continue across sessions, as in Telegram (see ConsoleSession)
        last_id = await db.scalar(select(func.max(ConsultationPost.message_id)))
    session = ConsoleSession(first_message_id=(last_id or 0) + 1)
    bot = build_bot(settings, CONSOLE_TOKEN, session=session)
    kb = await load_knowledge(settings, sessionmaker)
    dp = build_dispatcher(settings, sessionmaker, kb=kb, known_users=KnownUsers.watching(engine))
    try:
        await run_console(dp, bot, session, read_line, out, no_data=no_data, log_file=log_file)
    finally:
        await dp["question_log"].close()
        await engine.dispose()
