"""Users the bot process read or wrote a moment ago, so that their next update costs no
SELECT (issue 13: replies near the framework's floor)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.users import TOUCH_EVERY, USER_OPTION, Contact, UserInfo

KNOWN_FOR = timedelta(seconds=60)  # how long another process's change to a user may go unseen
KNOWN_MAX = 50_000
_USERS_WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?users\"?[\s(]", re.I
)
_WRITTEN = "smebot_users_written"  # connection info: users written in the open transaction
ALL = -1


@dataclass(frozen=True, slots=True)
class _Known:
    info: UserInfo
    contact: Contact
    until: datetime  # last seen + TOUCH_EVERY, or read + KNOWN_FOR, whichever comes first


class KnownUsers:
    """Only for a process that alone handles the updates (`smebot run`, the console chat):
    web replicas share users and do without.

    Invalidation is by the engine, not by the callers: a write to the users table through
    the watched engine forgets the user it names (a statement run with the `smebot_user`
    execution option, as touch_user's) or else everyone, at the statement and again when
    its transaction ends, so settings, /forget, a user found to have blocked the bot and
    reactivation are seen whatever code writes users. An entry read before such a write is
    not stored (`generation`). Changes made by other processes (an operator's CLI) are seen
    within KNOWN_FOR.

    While one update reads or registers a user, that user's other updates wait for it and
    then look here again (`in_flight`, `reading`): twenty messages sent at once by someone new
    cost one registration, not twenty racing ones holding twenty pool connections."""

    def __init__(self) -> None:
        self._known: dict[int, _Known] = {}
        self._in_flight: dict[int, asyncio.Future[None]] = {}
        self.generation = 0
        self._cleared = 0  # generation of the last forget-everyone
        self._changed: dict[int, int] = {}  # user -> generation of their last write

    @classmethod
    def watching(cls, engine: AsyncEngine) -> KnownUsers:
        known = cls()
        sync = engine.sync_engine
        event.listen(sync, "after_cursor_execute", known._on_statement)
        event.listen(sync, "commit", known._on_end)
        event.listen(sync, "rollback", known._on_end)
        return known

    def forget(self, user_id: int = ALL) -> None:
        self.generation += 1
        if user_id == ALL or len(self._changed) >= KNOWN_MAX:
            self._known.clear()
            self._changed.clear()
            self._cleared = self.generation
        else:
            self._known.pop(user_id, None)
            self._changed[user_id] = self.generation

    def get(self, contact: Contact, now: datetime) -> UserInfo | None:
        known = self._known.get(contact.id)
        if known is None or known.contact != contact or now >= known.until:
            return None
        return known.info

    def put(self, contact: Contact, info: UserInfo, last_seen: datetime, now: datetime, *,
            generation: int) -> None:  # fmt: skip
        """Remember `info` unless the user may have been written since `generation`."""
        stale = self._cleared > generation or self._changed.get(contact.id, 0) > generation
        if stale or not info.is_active:
            self._known.pop(contact.id, None)
            return
        if len(self._known) >= KNOWN_MAX:
            self._known.clear()
        until = min(last_seen + TOUCH_EVERY, now + KNOWN_FOR)
        self._known[contact.id] = _Known(replace(info, is_new=False), contact, until)

    def in_flight(self, user_id: int) -> asyncio.Future[None] | None:
        """Done when the update now reading or writing this user has finished, if any."""
        return self._in_flight.get(user_id)

    @contextmanager
    def reading(self, user_id: int) -> Iterator[None]:
        """Marks this user as being read or written until the block ends (even by failing)."""
        done = asyncio.get_running_loop().create_future()
        self._in_flight[user_id] = done
        try:
            yield
        finally:
            if self._in_flight.get(user_id) is done:
                del self._in_flight[user_id]
            done.set_result(None)

    def _on_statement(
        self, conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, *_args: Any
    ) -> None:
        if not _USERS_WRITE.match(statement):
            return
        options = getattr(context, "execution_options", None) or {}
        user_id = options.get(USER_OPTION, ALL)
        conn.info.setdefault(_WRITTEN, set()).add(user_id)
        self.forget(user_id)

    def _on_end(self, conn: Any) -> None:
        try:
            written = conn.info.pop(_WRITTEN, ())
        except Exception:  # an invalidated connection (its rollback after a failure)
            written = (ALL,)
        for user_id in written:
            self.forget(user_id)
