"""Logging configuration for the CLI, and the secrets filter: the bot token (any string shaped
like one, as in `…/file/bot<TOKEN>/…`) and the configured EIS token never reach a log line,
neither in a message nor in an exception's trace."""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level: str, fmt: str = "text") -> None:
    install_secret_filter()
    logging.basicConfig(level=level, format=LOG_FORMAT)
    if fmt == "json":  # LOG_FORMAT=json
        from bot.logjson import use_json

        use_json()
    _quiet_chatty_loggers(level)


def _quiet_chatty_loggers(level: str) -> None:
    quiet = max(logging.getLevelName(level), logging.WARNING)
    logging.getLogger("aiogram.event").setLevel(quiet)
    # «setup plugin alembic.autogenerate.*» and «Context impl SQLiteImpl» are Alembic's INFO;
    # APScheduler says «Running job … executed successfully» every REMINDER_POLL_SECONDS (its
    # failures are ERRORs and still show)
    for name in ("alembic", "pymorphy3", "apscheduler"):
        logging.getLogger(name).setLevel(quiet)


class _OneLine(logging.Formatter):
    """An error as one line in the console's conversation; its trace is in the log file."""

    def __init__(self, log_file: Path) -> None:
        super().__init__()
        self.log_file = log_file

    def format(self, record: logging.LogRecord) -> str:
        first = (record.getMessage().splitlines() or [""])[0]
        return f"{record.levelname} {record.name}: {first} (details: {self.log_file})"


@contextmanager
def console_logging(level: str, log_file: Path) -> Iterator[None]:
    """The console chat's logging: records go to `log_file`, not between the messages of the
    conversation; an ERROR still shows on stderr, as one line naming the file. The handlers
    are removed on exit (the CLI runs in-process in tests)."""
    install_secret_filter()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(log_file, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(LOG_FORMAT))
    errors = logging.StreamHandler(sys.stderr)
    errors.setLevel(logging.ERROR)
    errors.setFormatter(_OneLine(log_file))
    root = logging.getLogger()
    previous = root.level
    root.setLevel(level)
    _quiet_chatty_loggers(level)
    for handler in (to_file, errors):
        root.addHandler(handler)
    try:
        yield
    finally:
        for handler in (to_file, errors):
            root.removeHandler(handler)
        to_file.close()
        root.setLevel(previous)
