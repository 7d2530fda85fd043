"""What every command shares: the one-line failure, the settings, ISO dates in JSON."""

from __future__ import annotations

from typing import Any

import typer

from bot.config import ConfigError, Settings, load_settings
from bot.logging_setup import mask_secrets


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `smebot: message` on stderr; raise the result to end the command with `code`."""
    typer.echo(f"smebot: {message}", err=True)
    return typer.Exit(code)


def settings_or_exit() -> Settings:
    """The settings, with their secrets masked in any log; a bad one is one line, exit 2."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise fail(f"configuration error: {exc}") from None
    mask_secrets(*(s.get_secret_value() for s in (settings.bot_token, settings.eis_token) if s))
    return settings


def iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None
