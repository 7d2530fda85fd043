"""Typed, versioned callback data (≤ 64 bytes; never free text).

Integers are bounded before any query: a forged button with an id of 2^31 or more (the
range of PostgreSQL's integer; SQLite overflows at 2^63) does not match its handler and is
answered like a stale button, never with a database error."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

DbId = Annotated[int, Field(ge=0, lt=2**31)]  # a row id (0: none)
Page = Annotated[int, Field(ge=0, lt=100_000)]


class MenuCB(CallbackData, prefix="m1"):
    """Main menu buttons; `item` is one of MENU_ITEMS keys."""

    item: str


class ArticleCB(CallbackData, prefix="a1"):
    """Show an article; `q` is the question-log id it was offered for (0: none)."""

    id: str
    q: DbId = 0


class FeedbackCB(CallbackData, prefix="f1"):
    """👍 (v=1) or 👎 (v=-1) for the answer to question-log row `q`."""

    q: DbId
    v: Annotated[int, Field(ge=-1, le=1)]


class FaqCB(CallbackData, prefix="q1"):
    """FAQ navigation: section key ('' = list of sections) and page."""

    s: str = ""
    p: Page = 0


class FindCB(CallbackData, prefix="s1"):
    """Search filters and pages; the words themselves live in FSM data, never here."""

    op: str  # smp | acc | reg | price | setprice | page
    v: str = ""


class ProcCB(CallbackData, prefix="p1"):
    """Card buttons: op = card | sub (remind) | sim (similar) for procedures, ccard | csub
    for contracts; n = registry number."""

    op: str
    n: str


class StatsCB(CallbackData, prefix="st1"):
    """Statistics: op = show | csv | custom; r = region code or 'all'; p = m | q | y | c
    (month, quarter, year, custom); a, b = custom first and last day as YYYYMMDD."""

    op: str
    r: str
    p: str
    a: str = ""
    b: str = ""


class SubCB(CallbackData, prefix="r1"):
    """Subscriptions: op = pause | resume | del | off (from a reminder) | page; id = row id
    (checked against the pressing user: a forged id answers «не найдена»); p = list page."""

    op: str
    id: DbId = 0
    p: Page = 0


class SetCB(CallbackData, prefix="g1"):
    """/settings: op = lead | tz | quiet | news | settz | cancel | forget (ask) | forget_yes |
    forget_no (/forget's confirmation); v = a zone for settz."""

    op: str
    v: str = ""


class KbCB(CallbackData, prefix="k1"):
    """Knowledge-base editing: op = publish | cancel (the uploaded text waits in FSM data)."""

    op: str
