"""Statistics as Telegram messages: summary text, photo caption, keyboards, CSV document."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.stats.period import Period
from bot.services.stats.regions import ALL
from bot.services.stats.result import Stats
from bot.ui.callbacks import StatsCB, StatsOp
from bot.ui.cards import period_label, stats_caption, stats_text
from bot.ui.render import render
from bot.ui.stats_csv import to_csv

__all__ = ["period_label", "stats_caption", "stats_text"]

KIND_CODES = {"month": "m", "quarter": "q", "year": "y", "custom": "c"}
CODE_KINDS = {v: k for k, v in KIND_CODES.items()}


def _day(value: date) -> str:
    return f"{value:%Y%m%d}"


def previous_period(period: Period) -> Period:
    """The month or quarter before `period` (one of those)."""
    months = 3 if period.kind == "quarter" else 1
    end = period.start - timedelta(days=1)
    return Period(date(end.year, end.month - months + 1, 1), end, period.kind)


def stats_callback(op: StatsOp, region: str | None, period: Period) -> StatsCB:
    kind = KIND_CODES.get(period.kind, "c")
    custom = kind == "c"
    return StatsCB(
        op=op,
        r=region or ALL,
        p=kind,
        a=_day(period.start) if custom else "",
        b=_day(period.end) if custom else "",
    )


def stats_keyboard(stats: Stats, home_region: str) -> InlineKeyboardMarkup:
    """Period switches, region switch, custom period hint and (when there is data) CSV."""
    builder = InlineKeyboardBuilder()
    region = stats.region
    current = KIND_CODES.get(stats.period.kind, "c")
    for code, label in (("m", "Месяц"), ("q", "Квартал"), ("y", "Год")):
        mark = "✅ " if code == current else ""
        builder.button(
            text=f"{mark}{label}", callback_data=StatsCB(op=StatsOp.SHOW, r=region or ALL, p=code)
        )
    builder.button(
        text=("✅ " if current == "c" else "") + "📅 Свой период",
        callback_data=StatsCB(op=StatsOp.CUSTOM, r=region or ALL, p="c"),
    )
    if region is None:
        builder.button(
            text=f"📍 Мой регион ({home_region})",
            callback_data=stats_callback(StatsOp.SHOW, home_region, stats.period),
        )
    else:
        builder.button(
            text="🇷🇺 Вся Россия", callback_data=stats_callback(StatsOp.SHOW, None, stats.period)
        )
    rows = [3, 2]
    if stats.empty and stats.period.kind in ("month", "quarter"):
        # «Месяц» on the 1st of December is empty: one press to the period that just ended
        before = previous_period(stats.period)
        builder.button(
            text=f"◀️ {period_label(before)}",
            callback_data=stats_callback(
                StatsOp.SHOW, region, Period(before.start, before.end, "custom")
            ),
        )
        rows.append(1)
    if not stats.empty:
        builder.button(
            text="📥 Выгрузить CSV", callback_data=stats_callback(StatsOp.CSV, region, stats.period)
        )
        rows.append(1)
    builder.adjust(*rows)
    return builder.as_markup()


def csv_document(stats: Stats) -> BufferedInputFile:
    region = stats.region or ALL
    name = f"stats_{region}_{stats.period.start:%Y-%m-%d}_{stats.period.end:%Y-%m-%d}.csv"
    return BufferedInputFile(to_csv(stats), filename=name)


def csv_caption(stats: Stats) -> str:
    return render("stats/csv_caption", stats=stats, period_label=period_label(stats.period))
