"""Registry numbers in free text and the EIS addresses they lead to."""

from __future__ import annotations

import re
from dataclasses import dataclass

EIS_SEARCH = "https://zakupki.gov.ru/epz/order/extendedsearch/results.html?searchString="
EIS_CONTRACT = "https://zakupki.gov.ru/epz/contract/search/results.html?searchString="
# The contract's own page: the address 44-ФЗ contract documents give in their <href>.
EIS_CONTRACT_CARD = (
    "https://zakupki.gov.ru/epz/contract/contractCard/common-info.html?reestrNumber="
)
_NUMBER_RE = re.compile(r"(?<!\d)\d(?:[\d \-]{8,40}\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class RegistryNumber:
    digits: str
    kinds: tuple[str, ...]  # candidates: notice44, notice223, contract44, contract223


def find_registry_number(message: str) -> RegistryNumber | None:
    """A registry number in free text (spaces and dashes inside are tolerated)."""
    for match in _NUMBER_RE.finditer(message):
        digits = re.sub(r"\D", "", match.group(0))
        kinds = classify(digits)
        if kinds:
            return RegistryNumber(digits, kinds)
    return None


def classify(digits: str) -> tuple[str, ...]:
    if len(digits) == 19:
        return ("notice44", "contract44") if digits[0] == "0" else ("contract44", "notice44")
    if len(digits) == 11:
        return ("notice223",)
    if len(digits) in (23,):
        return ("contract223",)
    return ()


_MIXED_RE = re.compile(r"(?<!\w)(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]{9,40}(?!\w)")


def looks_like_partial_number(message: str) -> str | None:
    """A long digit run that is not a registry number, or a number with letters typed
    into it («03740300000260000A6»): the user probably mistyped it."""
    for mixed in _MIXED_RE.finditer(message):
        token = mixed.group(0)
        if sum(ch.isdigit() for ch in token) >= 0.8 * len(token):
            return token
    for match in re.finditer(r"\d[\d \-]{5,40}\d", message):
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) >= 8 and not classify(digits):
            return digits
    return None


def eis_url(number: str, law: str) -> str:  # noqa: ARG001  (kept for callers; the page address may depend on it)
    """A notice: the ЕИС search (its own page's address depends on the procedure type)."""
    return f"{EIS_SEARCH}{number}"


def contract_url(number: str, law: str) -> str:
    """A 44-ФЗ contract: its page in the contract registry; others: the ЕИС search (the
    223-ФЗ contract page's address is not one the samples show)."""
    if law == "44" and len(number) == 19 and number.isdigit():
        return f"{EIS_CONTRACT_CARD}{number}"
    return f"{EIS_CONTRACT}{number}"
