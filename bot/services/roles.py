"""Roles: admins (ADMIN_IDS), consultants (CONSULTANT_IDS plus the `staff` table), users."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import BadInput, NotFound, Refused
from models import Staff, User

Role = Literal["admin", "consultant", "user"]
MAX_TELEGRAM_ID = 2**53  # Telegram promises user ids fit in 52 bits


@dataclass(frozen=True, slots=True)
class StaffMember:
    user_id: int
    role: Literal["admin", "consultant"]
    source: Literal["settings", "bot"]  # ADMIN_IDS / CONSULTANT_IDS, or /consultant_add
    name: str | None = None  # first name and @username when the person has written to the bot
    added_by: int | None = None
    added_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StaffChange:
    member: StaffMember
    changed: bool  # False: already a consultant (add) — removal always changes or raises


async def role_of(
    session: AsyncSession, user_id: int, admin_ids: list[int], consultant_ids: list[int]
) -> Role:
    """Admins come from settings; consultants from settings plus the staff table."""
    if user_id in admin_ids:
        return "admin"
    if user_id in consultant_ids:
        return "consultant"
    row = await session.get(Staff, user_id)
    return "consultant" if row is not None else "user"


def check_user_id(value: int | str) -> int:
    """A Telegram user id given by an admin: a positive integer; anything else is BadInput."""
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise BadInput(
            "ID пользователя — это число, например 123456789. Его можно узнать у @userinfobot."
        )
    user_id = int(text)
    if user_id <= 0:
        raise BadInput("Это ID группы или канала, а нужен ID пользователя (положительное число).")
    if user_id >= MAX_TELEGRAM_ID:
        raise BadInput("Такого ID пользователя в Telegram не бывает.")
    return user_id


async def _name(session: AsyncSession, user_id: int) -> str | None:
    user = await session.get(User, user_id)
    if user is None:
        return None
    return f"{user.first_name} (@{user.username})" if user.username else user.first_name


async def add_consultant(
    session: AsyncSession, user_id: int, added_by: int, now: datetime
) -> StaffChange:
    """Make `user_id` a consultant; adding an existing one changes nothing."""
    user_id = check_user_id(user_id)
    row = await session.get(Staff, user_id)
    changed = row is None
    if row is None:
        row = Staff(user_id=user_id, role="consultant", added_by=added_by, added_at=now)
        session.add(row)
        await session.commit()
    member = StaffMember(
        user_id, "consultant", "bot", await _name(session, user_id), row.added_by, row.added_at
    )
    return StaffChange(member, changed)


async def remove_consultant(
    session: AsyncSession, user_id: int, *, configured_ids: Collection[int] = ()
) -> StaffMember:
    """Remove a consultant added in the bot. Those from CONSULTANT_IDS / ADMIN_IDS
    (`configured_ids`) cannot be removed here: Refused with the reason."""
    user_id = check_user_id(user_id)
    if user_id in configured_ids:
        raise Refused(
            f"Пользователь {user_id} указан в настройках бота (CONSULTANT_IDS или ADMIN_IDS); "
            "убрать его можно только там, с перезапуском бота."
        )
    row = await session.get(Staff, user_id)
    if row is None:
        raise NotFound(f"Пользователя {user_id} нет в списке консультантов.")
    member = StaffMember(
        user_id, "consultant", "bot", await _name(session, user_id), row.added_by, row.added_at
    )
    await session.execute(delete(Staff).where(Staff.user_id == user_id))
    await session.commit()
    return member


async def list_staff(
    session: AsyncSession, admin_ids: list[int], consultant_ids: list[int]
) -> list[StaffMember]:
    """Admins, then consultants from settings, then those added in the bot; no duplicates."""
    rows = list((await session.execute(select(Staff).order_by(Staff.added_at))).scalars())
    ids = [*admin_ids, *consultant_ids, *(r.user_id for r in rows)]
    users = {
        u.id: u for u in (await session.execute(select(User).where(User.id.in_(ids)))).scalars()
    }

    def name(user_id: int) -> str | None:
        u = users.get(user_id)
        if u is None:
            return None
        return f"{u.first_name} (@{u.username})" if u.username else u.first_name

    seen: set[int] = set()
    members: list[StaffMember] = []
    for user_id in admin_ids:
        if user_id not in seen:
            seen.add(user_id)
            members.append(StaffMember(user_id, "admin", "settings", name(user_id)))
    for user_id in consultant_ids:
        if user_id not in seen:
            seen.add(user_id)
            members.append(StaffMember(user_id, "consultant", "settings", name(user_id)))
    for row in rows:
        if row.user_id not in seen:
            seen.add(row.user_id)
            members.append(
                StaffMember(
                    row.user_id, "consultant", "bot", name(row.user_id), row.added_by, row.added_at
                )
            )
    return members


async def staff_ids(
    session: AsyncSession, admin_ids: list[int], consultant_ids: list[int]
) -> list[int]:
    """Everyone who receives consultations privately: consultants first, then admins."""
    rows = (await session.execute(select(Staff.user_id).order_by(Staff.added_at))).scalars()
    ordered = [*consultant_ids, *rows, *admin_ids]
    return list(dict.fromkeys(ordered))
