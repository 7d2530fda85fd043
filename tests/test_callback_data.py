"""Callback ops are StrEnums; the packed strings stay what they were when ops were plain
strings, so buttons already in users' chats keep working (and stay within 64 bytes)."""

from __future__ import annotations

from enum import StrEnum

import pytest
from aiogram.filters.callback_data import CallbackData

from bot.ui.callbacks import (
    AboutOp,
    AskAboutCB,
    FindCB,
    FindOp,
    KbCB,
    KbOp,
    MenuCB,
    MenuItem,
    ProcCB,
    ProcOp,
    SetCB,
    SetOp,
    StatsCB,
    StatsOp,
    SubCB,
    SubOp,
    consult_data,
)
from bot.ui.consult import ConsultCB, ConsultOp

# packed by the code before the enums (ops as plain strings)
PACKED: list[tuple[CallbackData, str]] = [
    *((FindCB(op=op, v="3"), f"s1:{op}:3") for op in FindOp),
    (FindCB(op=FindOp.SETPRICE), "s1:setprice:"),
    *((ProcCB(op=op, n="0123456789"), f"p1:{op}:0123456789") for op in ProcOp),
    (StatsCB(op=StatsOp.SHOW, r="74", p="c", a="20260101", b="20261231"),
     "st1:show:74:c:20260101:20261231"),
    (StatsCB(op=StatsOp.CSV, r="all", p="y"), "st1:csv:all:y::"),
    (StatsCB(op=StatsOp.CUSTOM, r="all", p="c"), "st1:custom:all:c::"),
    *((SubCB(op=op, id=5, p=2), f"r1:{op}:5:2") for op in SubOp),
    (SubCB(op=SubOp.PAGE), "r1:page:0:0"),
    *((SetCB(op=op), f"g1:{op}:") for op in SetOp),
    (SetCB(op=SetOp.SETTZ, v="Europe/Moscow"), "g1:settz:Europe/Moscow"),
    *((MenuCB(item=item), f"m1:{item}") for item in MenuItem),
    (KbCB(op=KbOp.PUBLISH), "k1:publish"),
    (KbCB(op=KbOp.CANCEL), "k1:cancel"),
    (ConsultCB(op=ConsultOp.RATE, id=7, v=5), "cn1:rate:7:5"),
    (AskAboutCB(op=AboutOp.PROCEDURE, n="0174300000126000123"), "ca1:p:0174300000126000123:0"),
    (AskAboutCB(op=AboutOp.ANSWER, q=2**31 - 1), "ca1:q::2147483647"),
    (AskAboutCB(op=AboutOp.LONG), "ca1:l::0"),
]  # fmt: skip

VALUES = {
    FindOp: "smp acc reg price setprice page save",
    ProcOp: "card sub sim ccard csub",
    StatsOp: "show csv custom",
    SubOp: "pause resume del off page",
    SetOp: "lead tz quiet news settz cancel forget forget_yes forget_no",
    KbOp: "publish cancel",
    MenuItem: "ask find contracts reminders stats consult menu",
    AboutOp: "p c q a l",
}


@pytest.mark.parametrize(("data", "packed"), PACKED, ids=[p for _, p in PACKED])
def test_packed_strings_unchanged(data: CallbackData, packed: str) -> None:
    assert data.pack() == packed
    assert type(data).unpack(packed) == data


@pytest.mark.parametrize("op", list(VALUES), ids=lambda op: op.__name__)
def test_op_values_are_the_old_strings(op: type[StrEnum]) -> None:
    assert [member.value for member in op] == VALUES[op].split()


def test_unknown_op_does_not_unpack() -> None:
    """A forged or retired op matches no handler: the fallback answers it as stale."""
    with pytest.raises(ValueError, match="op"):
        FindCB.unpack("s1:bogus:")


def test_a_consultant_button_too_long_for_64_bytes_is_the_plain_menu_item() -> None:
    """An article id or a number too long for the context falls back to «Консультант»."""
    about = AskAboutCB(op=AboutOp.ARTICLE, n="x" * 64)
    assert consult_data(about) == MenuCB(item=MenuItem.CONSULT)
    short = AskAboutCB(op=AboutOp.ARTICLE, n="return-of-security")
    assert consult_data(short) is short
