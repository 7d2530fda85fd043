"""Texts of cards and summaries without keyboards: what the CLI prints. No aiogram here, so
a look-up from the command line does not pay for importing it."""

from __future__ import annotations

from bot.services.procurement import (
    CONTRACTS_SHOWN,
    ContractCard,
    ContractList,
    ProcedureCard,
)
from bot.services.stats.period import Period
from bot.services.stats.result import Stats
from bot.ui.render import render, zone_name


def procedure_text(card: ProcedureCard, tz: str) -> str:
    return render("procurement/procedure", card=card, tz=tz, tz_name=zone_name(tz))


def contract_text(card: ContractCard | ContractList) -> str:
    """A contract's card, or the list of contracts concluded on one notice."""
    if isinstance(card, ContractList):
        return render("procurement/contract_list", contracts=card, shown=CONTRACTS_SHOWN)
    return render("procurement/contract", card=card)


MONTHS_NOMINATIVE = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
QUARTERS = ("I", "II", "III", "IV")
TOP_SHOWN = 3


def period_label(period: Period) -> str:
    """'ноябрь 2026', 'IV квартал 2026', '2026 год' or '01.10.2026 – 10.11.2026'."""
    if period.kind == "month":
        return f"{MONTHS_NOMINATIVE[period.start.month - 1]} {period.start.year}"
    if period.kind == "quarter":
        return f"{QUARTERS[(period.start.month - 1) // 3]} квартал {period.start.year}"
    if period.kind == "year":
        return f"{period.start.year} год"
    return f"{period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}"


def stats_text(stats: Stats) -> str:
    """The summary (or the «нет данных» answer when the period is empty)."""
    if stats.empty:
        return render("stats/empty", stats=stats, period_label=period_label(stats.period))
    return render(
        "stats/summary", stats=stats, period_label=period_label(stats.period), top=TOP_SHOWN
    )


def stats_caption(stats: Stats) -> str:
    return render("stats/caption", stats=stats, period_label=period_label(stats.period))
