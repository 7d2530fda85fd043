"""LOG_FORMAT=json: one JSON object a line (the standard library only), for log shippers.

Carries time, level, logger, message and the trace, plus `update_id`, `user_id` and `job`
when a record has them (`log.info(..., extra={"job": "reminders"})`)."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

CONTEXT = ("update_id", "user_id", "job", "role")
# set while an update is handled (bot/roles/metrics.py), read into every record of its task
UPDATE_ID: ContextVar[int | None] = ContextVar("update_id", default=None)
USER_ID: ContextVar[int | None] = ContextVar("user_id", default=None)
# set while a scheduled job runs (bot/roles/worker.py)
JOB: ContextVar[str | None] = ContextVar("job", default=None)


class UpdateContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "update_id", None) is None:
            record.update_id = UPDATE_ID.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = USER_ID.get()
        if getattr(record, "job", None) is None:
            record.job = JOB.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:  # the trace masked by bot.logging_setup
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def use_json(root: logging.Logger | None = None) -> None:
    """Switch every handler of the root logger to JSON lines."""
    for handler in (root or logging.getLogger()).handlers:
        handler.setFormatter(JsonFormatter())
        handler.addFilter(UpdateContext())
