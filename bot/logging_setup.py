"""Logging configuration for the CLI."""

from __future__ import annotations

import logging


def setup_logging(level: str, fmt: str = "text") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if fmt == "json":  # LOG_FORMAT=json
        from bot.logjson import use_json

        use_json()
    quiet = max(logging.getLevelName(level), logging.WARNING)
    logging.getLogger("aiogram.event").setLevel(quiet)
    # «setup plugin alembic.autogenerate.*» and «Context impl SQLiteImpl» are Alembic's INFO
    for name in ("alembic", "pymorphy3"):
        logging.getLogger(name).setLevel(quiet)
