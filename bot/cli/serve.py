"""The long-running commands: `run` (all in one), `web` and `worker` (scaled out), `chat`.

The in-function imports keep aiogram (bot.runner, bot.roles.web, bot.roles.worker) out of
the look-up commands, which load this module too.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

import typer

from bot.cli.common import fail, settings_or_exit
from bot.config import ConfigError, Settings
from bot.logging_setup import console_logging, setup_logging

T = TypeVar("T")


def _token(settings: Settings) -> str:
    try:
        return settings.require_token()
    except ConfigError as exc:
        raise fail(str(exc)) from None


def _serve(settings: Settings, main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Logging as configured, then the process's main coroutine; a ConfigError is one line."""
    setup_logging(settings.log_level, settings.log_format)
    try:
        return asyncio.run(main())
    except ConfigError as exc:
        raise fail(str(exc)) from None


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
    from bot.runner import run_polling

    _serve(settings, lambda: run_polling(settings, token))


def web(
    set_webhook: Annotated[
        bool, typer.Option("--set-webhook", help="Call setWebhook even if Telegram's matches")
    ] = False,
) -> None:
    """Scaled out: a webhook replica on WEB_HOST:WEB_PORT (also /healthz, /readyz, /metrics).
    Never migrates (run `smebot db upgrade` first) and never sends bulk messages."""
    settings = settings_or_exit()
    token = _token(settings)
    from bot.roles.web import run_web

    _serve(settings, lambda: run_web(settings, token, force_set_webhook=set_webhook))


def worker() -> None:
    """Scaled out: scheduled jobs and bulk sends; one active instance (PostgreSQL advisory
    lock), the others stand by. /healthz, /readyz, /metrics on WORKER_PORT."""
    settings = settings_or_exit()
    token = _token(settings)
    from bot.roles.worker import run_worker

    code = _serve(settings, lambda: run_worker(settings, token))
    if code:
        raise typer.Exit(code)


def chat() -> None:
    """Talk to the bot in the console: no token, no network; numbers press buttons."""
    settings = settings_or_exit()
    from bot.console import LOG_FILE
    from bot.runner import run_console_chat

    def read_line() -> str | None:
        line = sys.stdin.readline()
        return line if line else None

    with console_logging(settings.log_level, LOG_FILE):  # not between the messages
        asyncio.run(run_console_chat(settings, read_line, sys.stdout, LOG_FILE))
