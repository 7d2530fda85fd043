"""Sums typed after «Цена до…»."""

from __future__ import annotations

import pytest

from bot.services.amounts import parse_amount
from bot.services.errors import BadInput


@pytest.mark.parametrize(
    ("typed", "rubles"),
    [
        ("500 000", 500_000),
        ("500000", 500_000),
        ("500\u202f000 ₽", 500_000),
        ("1 500 000", 1_500_000),
        ("500 тыс", 500_000),
        ("500тыс.", 500_000),
        ("1,5 млн", 1_500_000),
        ("1.5 млн", 1_500_000),
        ("десять тысяч", 10_000),
        ("пятьсот тысяч рублей", 500_000),
        ("полтора миллиона", 1_500_000),
        ("миллион", 1_000_000),
        ("до 3 млн руб.", 3_000_000),
        ("2 млрд", 2_000_000_000),
    ],
)
def test_amounts(typed: str, rubles: int) -> None:
    assert parse_amount(typed) == rubles


@pytest.mark.parametrize("bad", ["", "0", "бумага", "1,5", "0,5 руб", "10 трлн", "-5", "9999 млрд"])
def test_bad_amounts(bad: str) -> None:
    with pytest.raises(BadInput):
        parse_amount(bad)
