"""Sums of money typed by people: «500 000», «500000», «500 тыс», «1,5 млн», «десять тысяч»."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.services.errors import BadInput

MAX_AMOUNT = 10**12  # rubles: more than any procurement
_SCALES = {
    "т": 10**3, "тыс": 10**3, "тысяча": 10**3, "тысячи": 10**3, "тысяч": 10**3, "тысячу": 10**3,
    "к": 10**3, "k": 10**3,
    "м": 10**6, "млн": 10**6, "миллион": 10**6, "миллиона": 10**6, "миллионов": 10**6,
    "m": 10**6, "mln": 10**6,
    "млрд": 10**9, "миллиард": 10**9, "миллиарда": 10**9, "миллиардов": 10**9,
}  # fmt: skip
_WORDS: dict[str, Decimal | int] = {
    "один": 1, "одна": 1, "одну": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11,
    "двенадцать": 12, "пятнадцать": 15, "двадцать": 20, "тридцать": 30, "сорок": 40,
    "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80, "девяносто": 90,
    "сто": 100, "двести": 200, "триста": 300, "четыреста": 400, "пятьсот": 500,
    "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
    "полтора": Decimal("1.5"), "полторы": Decimal("1.5"),
}  # fmt: skip
_NOISE = {"до", "не", "более", "больше", "руб", "рублей", "рубля", "рубль", "р", "₽", "rub"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def parse_amount(text: str) -> int:
    """Rubles, whole; BadInput when the text is no sum or out of range."""
    plain = text.lower().replace("ё", "е").replace("\u202f", " ").replace("\xa0", " ")
    plain = re.sub(r"(?<=\d)[ ](?=\d{3}\b)", "", plain)  # «1 500 000» → «1500000»
    plain = re.sub(r"(?<=\d)(?=[^\d\s.,])", " ", plain)  # «500тыс» → «500 тыс»
    tokens = [t.strip(".") for t in re.split(r"[\s]+", plain) if t.strip(".")]
    tokens = [t for t in tokens if t not in _NOISE]
    total, group = Decimal(0), Decimal(0)
    seen = False
    for token in tokens:
        if _NUMBER.fullmatch(token):
            try:
                group += Decimal(token.replace(",", "."))
            except InvalidOperation:  # pragma: no cover  (the pattern admits numbers only)
                break
        elif token in _WORDS:
            group += Decimal(_WORDS[token])
        elif token in _SCALES:
            total += (group or 1) * _SCALES[token]
            group = Decimal(0)
        else:
            raise BadInput(
                f"Не понял сумму «{text.strip()[:40]}»: пишите цифрами, например "
                "500 000, 500 тыс или 1,5 млн."
            )
        seen = True
    amount = total + group
    if not seen or amount != amount.to_integral_value() or not 0 < amount <= MAX_AMOUNT:
        raise BadInput(
            f"Сумма «{text.strip()[:40]}» не подходит: нужна цена в рублях больше нуля, "
            "например 500 000 или 1,5 млн."
        )
    return int(amount)
