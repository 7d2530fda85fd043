"""Logging configuration for the CLI, and the secrets filter: the bot token (any string shaped
like one, as in `…/file/bot<TOKEN>/…`) and the configured EIS token never reach a log line,
neither in a message nor in an exception's trace."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

BOT_TOKEN_RE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,64}")
MASK = "***"
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def mask(text: str) -> str:
    """`text` with every bot token and every registered secret replaced by ***."""
    text = BOT_TOKEN_RE.sub(MASK, text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def mask_secrets(*values: str | None) -> None:
    """Register secrets (the EIS token, …) to be masked in every log record from now on."""
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= 6)
    install_secret_filter()


def _masked(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it to the handler to report
        return record
    record.msg, record.args = mask(message), None
    if record.exc_info and record.exc_info[1] is not None:
        # formatters print exc_text when exc_info is gone: the trace is kept, but masked
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    return record


def install_secret_filter() -> None:
    """Mask secrets in every record of every logger (a record factory: handlers added later,
    such as a test's capture, see only masked records). Idempotent."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return _masked(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed = True


def setup_logging(level: str, fmt: str = "text") -> None:
    install_secret_filter()
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if fmt == "json":  # LOG_FORMAT=json
        from bot.logjson import use_json

        use_json()
    quiet = max(logging.getLevelName(level), logging.WARNING)
    logging.getLogger("aiogram.event").setLevel(quiet)
    # «setup plugin alembic.autogenerate.*» and «Context impl SQLiteImpl» are Alembic's INFO;
    # APScheduler says «Running job … executed successfully» every REMINDER_POLL_SECONDS (its
    # failures are ERRORs and still show)
    for name in ("alembic", "pymorphy3", "apscheduler"):
        logging.getLogger(name).setLevel(quiet)
