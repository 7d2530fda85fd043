"""Users: registration on first contact, last-seen tracking, reactivation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db import upsert
from models import User

TOUCH_EVERY = timedelta(minutes=5)  # how stale «last seen» may get to spare a write per update
KNOWN_FOR = timedelta(seconds=60)  # how long another process's change to a user may go unseen
KNOWN_MAX = 50_000
_USERS_WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?users\"?[\s(]", re.I
)


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    first_name: str
    username: str | None
    timezone: str
    region: str
    is_active: bool
    is_new: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    """What the transport layer knows about the person who wrote."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language: str | None = None


def _info(user: Any, *, is_new: bool = False) -> UserInfo:
    return UserInfo(
        id=user.id,
        first_name=user.first_name,
        username=user.username,
        timezone=user.timezone,
        region=user.region,
        is_active=user.is_active,
        is_new=is_new,
    )


_COLUMNS = (
    User.id,
    User.first_name,
    User.last_name,
    User.username,
    User.language,
    User.timezone,
    User.region,
    User.is_active,
    User.last_seen_at,
)


def _current(user: Any, contact: Contact, now: datetime) -> bool:
    """Nothing to write: same names, active, and last seen recently enough."""
    return (
        user.is_active
        and user.first_name == contact.first_name[:256]
        and user.last_name == (contact.last_name[:256] if contact.last_name else None)
        and user.username == contact.username
        and user.language == contact.language
        and user.last_seen_at is not None
        and now - user.last_seen_at < TOUCH_EVERY
    )


@dataclass(frozen=True, slots=True)
class _Known:
    info: UserInfo
    contact: Contact
    until: datetime  # last seen + TOUCH_EVERY, or read + KNOWN_FOR, whichever comes first


class KnownUsers:
    """Users the process read or wrote lately, so that an update from someone who wrote a
    moment ago costs no SELECT. Only for a process that alone handles the updates (`smebot
    run`, the console chat); web replicas share users and do without.

    Every write to the users table through the watched engine forgets them all, at the
    statement and again when its transaction ends (settings, /forget, a user found to have
    blocked the bot, the periodic «last seen»: whatever the code and whoever the user); an
    entry read before such a write is not stored (`generation`). Changes made by other
    processes (an operator's CLI) are seen within KNOWN_FOR."""

    def __init__(self) -> None:
        self._known: dict[int, _Known] = {}
        self.generation = 0

    @classmethod
    def watching(cls, engine: AsyncEngine) -> KnownUsers:
        known = cls()
        sync = engine.sync_engine
        event.listen(sync, "after_cursor_execute", known._on_statement)
        event.listen(sync, "commit", known._on_end)
        event.listen(sync, "rollback", known._on_end)
        return known

    def forget(self) -> None:
        self._known.clear()
        self.generation += 1

    def get(self, contact: Contact, now: datetime) -> UserInfo | None:
        known = self._known.get(contact.id)
        if known is None or known.contact != contact or now >= known.until:
            return None
        return known.info

    def put(self, contact: Contact, info: UserInfo, last_seen: datetime, now: datetime, *,
            generation: int) -> None:  # fmt: skip
        """Remember `info` unless a users write has happened since `generation` was read."""
        if generation != self.generation or not info.is_active:
            self._known.pop(contact.id, None)
            return
        if len(self._known) >= KNOWN_MAX:
            self._known.clear()
        until = min(last_seen + TOUCH_EVERY, now + KNOWN_FOR)
        self._known[contact.id] = _Known(replace(info, is_new=False), contact, until)

    def _on_statement(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _USERS_WRITE.match(statement):
            conn.info["smebot_users_written"] = True
            self.forget()

    def _on_end(self, conn: Any) -> None:
        if conn.info.pop("smebot_users_written", False):
            self.forget()


async def touch_user(
    session: AsyncSession,
    contact: Contact,
    *,
    now: datetime,
    default_timezone: str,
    default_region: str,
    known: KnownUsers | None = None,
) -> UserInfo:
    """Create the user on first contact, else refresh names and reactivate; last seen is
    written at most every TOUCH_EVERY. The usual update costs one SELECT and no write, or
    nothing at all when `known` remembers the user."""
    if known is not None:
        info = known.get(contact, now)
        if info is not None:
            return info
    generation = known.generation if known is not None else 0
    found = await session.execute(select(*_COLUMNS).where(User.id == contact.id))
    existing: Any = found.first()  # a plain row: no ORM identity map on the hot path
    if existing is not None and _current(existing, contact, now):
        info = _info(existing)
        if known is not None:
            known.put(contact, info, existing.last_seen_at, now, generation=generation)
        return info
    is_new = existing is None
    dialect = session.get_bind().dialect.name
    stmt = upsert(
        User.__table__,
        {
            "id": contact.id,
            "first_name": contact.first_name[:256],
            "last_name": contact.last_name[:256] if contact.last_name else None,
            "username": contact.username,
            "language": contact.language,
            "timezone": default_timezone,
            "region": default_region,
            "created_at": now,
            "last_seen_at": now,
            "is_active": True,
        },
        dialect=dialect,
        index_elements=["id"],
        update=["first_name", "last_name", "username", "language", "last_seen_at", "is_active"],
    )
    await session.execute(stmt)
    await session.commit()
    generation = known.generation if known is not None else 0  # after our own write
    session.expire_all()
    user = await session.get(User, contact.id)
    assert user is not None
    info = _info(user, is_new=is_new)
    if known is not None and user.last_seen_at is not None:
        known.put(contact, info, user.last_seen_at, now, generation=generation)
    return info


async def set_active(session: AsyncSession, user_id: int, active: bool) -> None:
    await session.execute(update(User).where(User.id == user_id).values(is_active=active))
    await session.commit()


async def timezones_of(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, str]:
    """The time zones these users chose (or were given); users never seen are left out."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.timezone).where(User.id.in_(ids)))
    return {row.id: row.timezone for row in rows if row.timezone}
