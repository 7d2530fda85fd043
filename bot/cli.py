"""`smebot` command line (Typer): run, chat, db, version."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Annotated

import typer

from bot import __version__
from bot.config import ConfigError, Settings, load_settings

app = typer.Typer(
    name="smebot",
    help="smebot — Telegram-бот поддержки МСП в госзакупках (44-ФЗ, 223-ФЗ).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")

log = logging.getLogger("smebot")


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"smebot: {message}", err=True)
    return typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise fail(f"configuration error: {exc}") from None


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"smebot {__version__}")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Apply migrations to DATABASE_URL."""
    settings = settings_or_exit()
    from bot.db import create_engine, upgrade

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    try:
        asyncio.run(go())
    except OSError as exc:
        raise fail(f"database unreachable: {exc}") from None
    typer.echo(f"database is at revision {revision}")


@app.command()
def run(
    chat_without_token: Annotated[
        bool,
        typer.Option(
            "--chat-without-token",
            help="With no BOT_TOKEN configured, start the console chat instead of failing.",
        ),
    ] = False,
) -> None:
    """Run the bot: long polling against BOT_API_URL until SIGINT/SIGTERM."""
    settings = settings_or_exit()
    try:
        token = settings.require_token()
    except ConfigError as exc:
        if chat_without_token and settings.bot_token is None:
            typer.echo(f"{exc}\nStarting the console chat instead.\n", err=True)
            chat()
            return
        raise fail(str(exc)) from None
    from bot.logging_setup import setup_logging
    from bot.runner import run_polling

    setup_logging(settings.log_level)
    try:
        asyncio.run(run_polling(settings, token))
    except ConfigError as exc:
        raise fail(str(exc)) from None


@app.command()
def chat() -> None:
    """Talk to the bot in the console: no token, no network; numbers press buttons."""
    settings = settings_or_exit()
    from bot.logging_setup import setup_logging
    from bot.runner import run_console_chat

    setup_logging("WARNING" if settings.log_level != "DEBUG" else "DEBUG")

    def read_line() -> str | None:
        line = sys.stdin.readline()
        return line if line else None

    asyncio.run(run_console_chat(settings, read_line, sys.stdout))
