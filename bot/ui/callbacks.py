"""Typed, versioned callback data (≤ 64 bytes; never free text).

Integers are bounded before any query: a forged button with an id of 2^31 or more (the
range of PostgreSQL's integer; SQLite overflows at 2^63) does not match its handler and is
answered like a stale button, never with a database error."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

DbId = Annotated[int, Field(ge=0, lt=2**31)]  # a row id (0: none)
Page = Annotated[int, Field(ge=0, lt=100_000)]


class MenuItem(StrEnum):
    """Main menu buttons (labels: MENU_ITEMS in bot/ui/keyboards.py)."""

    ASK = "ask"
    FIND = "find"
    CONTRACTS = "contracts"
    REMINDERS = "reminders"
    STATS = "stats"
    CONSULT = "consult"
    MENU = "menu"  # show the menu again (buttons of earlier versions)


class MenuCB(CallbackData, prefix="m1"):
    """Main menu buttons."""

    item: MenuItem


class AboutOp(StrEnum):
    """What «Вопрос консультанту» / «Спросить консультанта» was pressed under."""

    PROCEDURE = "p"  # n = the procedure's number
    CONTRACT = "c"  # n = the contract's number
    ANSWER = "q"  # q = the question-log row answered
    ARTICLE = "a"  # n = the article's id (opened from the FAQ: no question)
    LONG = "l"  # the question refused as too long (its text: LONG_QUESTION_KEY in FSM data)


# FSM data key: the text of the last question too long for the knowledge base, for
# «Спросить консультанта» under the refusal (handlers/questions.py stores it)
LONG_QUESTION_KEY = "consult_long_question"


class AskAboutCB(CallbackData, prefix="ca1"):
    """Ask a consultant about a card or an answer (the handler looks up the context and keeps
    it in FSM data until the question is sent)."""

    op: AboutOp
    n: str = ""
    q: DbId = 0


def consult_data(about: AskAboutCB) -> AskAboutCB | MenuCB:
    """The consultant button's data: `about`, or the plain menu item when it does not fit
    Telegram's 64 bytes (a very long number or article id)."""
    try:
        packed = about.pack()
    except ValueError:
        return MenuCB(item=MenuItem.CONSULT)
    return about if len(packed.encode()) <= 64 else MenuCB(item=MenuItem.CONSULT)


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


class FindOp(StrEnum):
    """Search buttons; SAVE belongs to handlers/reminders.py, the rest to procurement."""

    SMP = "smp"  # toggle «только СМП»
    ACC = "acc"  # toggle «приём заявок идёт»
    REG = "reg"  # toggle «мой регион»
    PRICE = "price"  # ask for the price limit
    SETPRICE = "setprice"  # v = the limit ('' = none)
    PAGE = "page"  # v = page number
    SAVE = "save"  # subscribe to the search


class FindCB(CallbackData, prefix="s1"):
    """Search filters and pages; the words themselves live in FSM data, never here."""

    op: FindOp
    v: str = ""


class ProcOp(StrEnum):
    """Card buttons: the first three for procedures, the last two for contracts."""

    CARD = "card"
    SUB = "sub"  # remind about the procedure's dates
    SIM = "sim"  # similar procedures
    CCARD = "ccard"
    CSUB = "csub"  # remind about the contract's dates


class ProcCB(CallbackData, prefix="p1"):
    """Card buttons (ProcOp); n = registry number."""

    op: ProcOp
    n: str


class StatsOp(StrEnum):
    SHOW = "show"
    CSV = "csv"
    CUSTOM = "custom"  # explain how to ask for a custom period


class StatsCB(CallbackData, prefix="st1"):
    """Statistics: op (StatsOp); r = region code or 'all'; p = m | q | y | c
    (month, quarter, year, custom); a, b = custom first and last day as YYYYMMDD."""

    op: StatsOp
    r: str
    p: str
    a: str = ""
    b: str = ""


class SubOp(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    DEL = "del"
    OFF = "off"  # «Не напоминать» under a reminder
    PAGE = "page"


class SubCB(CallbackData, prefix="r1"):
    """Subscriptions: op (SubOp); id = row id (checked against the pressing user: a forged
    id answers «не найдена»); p = list page."""

    op: SubOp
    id: DbId = 0
    p: Page = 0


class SetOp(StrEnum):
    LEAD = "lead"  # ask for the lead times
    TZ = "tz"  # ask for the time zone
    QUIET = "quiet"  # ask for the quiet hours
    NEWS = "news"  # toggle legislative news
    SETTZ = "settz"  # v = the zone
    CANCEL = "cancel"  # leave a prompt
    FORGET = "forget"  # ask to confirm erasing the user's data
    FORGET_YES = "forget_yes"
    FORGET_NO = "forget_no"


class SetCB(CallbackData, prefix="g1"):
    """/settings: op (SetOp); v = a zone for settz."""

    op: SetOp
    v: str = ""


class KbOp(StrEnum):
    PUBLISH = "publish"
    CANCEL = "cancel"


class KbCB(CallbackData, prefix="k1"):
    """Knowledge-base editing: op (KbOp; the uploaded text waits in FSM data)."""

    op: KbOp
