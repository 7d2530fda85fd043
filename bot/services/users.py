"""Users: registration on first contact, last-seen tracking, reactivation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import upsert
from models import User

if TYPE_CHECKING:
    from bot.services.known_users import KnownUsers

TOUCH_EVERY = timedelta(minutes=5)  # how stale «last seen» may get to spare a write per update
USER_OPTION = "smebot_user"  # execution option: the one user a users write touches (KnownUsers)


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
    nothing at all when `known` remembers the user (or has just read them for another of
    their updates, which this one waits for)."""
    if known is None:
        return await _touch(session, contact, now, default_timezone, default_region, None)
    info = known.get(contact, now)
    if info is not None:
        return info
    # one reader per user at a time: the others wait, then look again (nothing remembered if
    # it failed or the user was written since; then the first of them reads, the rest wait)
    while (pending := known.in_flight(contact.id)) is not None:
        await asyncio.shield(pending)  # a follower cancelled never cancels the reader
        info = known.get(contact, now)
        if info is not None:
            return info
    with known.reading(contact.id):  # no await since the loop saw no reader
        return await _touch(session, contact, now, default_timezone, default_region, known)


async def _touch(
    session: AsyncSession,
    contact: Contact,
    now: datetime,
    default_timezone: str,
    default_region: str,
    known: KnownUsers | None,
) -> UserInfo:
    generation = known.generation if known is not None else 0
    found = await session.execute(select(*_COLUMNS).where(User.id == contact.id))
    existing: Any = found.first()  # a plain row: no ORM identity map on the hot path
    if existing is not None and _current(existing, contact, now):
        # the connection goes back to the pool now, not after the reply is sent (the
        # question log's writer must never wait for one a handler holds across a send)
        await session.commit()
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
    # the cache forgets only this user for this write (see KnownUsers)
    await session.execute(stmt.execution_options(**{USER_OPTION: contact.id}))
    await session.commit()
    generation = known.generation if known is not None else 0  # after our own write
    session.expire_all()
    user = await session.get(User, contact.id)
    assert user is not None
    await session.commit()  # as above: no connection held across the handler
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
