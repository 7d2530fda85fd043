"""Statistics as a PNG chart readable on a phone: ≤ 1280 px wide, Russian labels, thousands
separators, sums in «тыс./млн/млрд ₽». matplotlib is imported inside the function (Agg backend,
no pyplot global state), so importing this module has no side effects."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.services.stats.result import Share, Stats

WIDTH_IN, HEIGHT_IN, DPI = 12.0, 12.0, 100  # 1200 × 1200 px
MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн",
                "июл", "авг", "сен", "окт", "ноя", "дек")  # fmt: skip
NBSP = "\u202f"
BLUE, ORANGE, GREEN, GREY = "#2b6cb0", "#dd6b20", "#38a169", "#a0aec0"


def group_digits(value: float, decimals: int = 0) -> str:
    """12345.6 → '12 345,6' (narrow no-break spaces, decimal comma)."""
    text = f"{value:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return text


def short_money(value: Decimal | float | int) -> str:
    """1234567.89 → '1,2 млн ₽'; 2.5e9 → '2,5 млрд ₽'; under a million: whole roubles."""
    v = float(value)
    if abs(v) >= 1e9:
        return f"{group_digits(v / 1e9, 1)} млрд ₽"
    if abs(v) >= 1e6:
        return f"{group_digits(v / 1e6, 1)} млн ₽"
    return f"{group_digits(v)} ₽"


def axis_money(value: float, _pos: Any = None) -> str:
    """Tick labels: compact, no currency sign (the axis title carries the unit)."""
    v = abs(value)
    if v >= 1e9:
        return f"{group_digits(value / 1e9, 1)} млрд"
    if v >= 1e6:
        return f"{group_digits(value / 1e6, 1)} млн"
    if v >= 1e3:
        return f"{group_digits(value / 1e3, 0)} тыс."
    return group_digits(value)


def percent(value: float) -> str:
    return f"{group_digits(value * 100, 1)} %"


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _month_label(month: str) -> str:
    year, mm = month.split("-")
    return f"{MONTHS_SHORT[int(mm) - 1]}\n{year}"


YEARLY_AFTER_MONTHS = 36  # beyond three years the trend is drawn by years


@dataclass(frozen=True, slots=True)
class Trend:
    """The bars of the trend chart: per month, or per year when the period is long."""

    by_year: bool
    labels: tuple[str, ...]
    procedures_total: tuple[float, ...]
    contracts_total: tuple[float, ...]


def trend(stats: Stats) -> Trend:
    """Monthly bars up to three years; yearly sums (calendar years) beyond."""
    points = stats.monthly
    if len(points) <= YEARLY_AFTER_MONTHS:
        return Trend(
            False,
            tuple(_month_label(m.month) for m in points),
            tuple(float(m.procedures_total) for m in points),
            tuple(float(m.contracts_total) for m in points),
        )
    years: dict[str, list[Decimal]] = {}
    for m in points:
        acc = years.setdefault(m.month[:4], [Decimal(0), Decimal(0)])
        acc[0] += m.procedures_total
        acc[1] += m.contracts_total
    return Trend(
        True,
        tuple(years),
        tuple(float(v[0]) for v in years.values()),
        tuple(float(v[1]) for v in years.values()),
    )


def _hbars(
    ax: Any, title: str, items: tuple[Share, ...], *, by_money: bool, codes: bool = False
) -> None:
    """Horizontal bars of the first six items; the rest (of a complete split) as «прочие»."""
    shown = list(items[:6])
    rest = items[6:]
    if rest and not codes:
        shown.append(
            Share(
                "",
                "прочие",
                sum(s.count for s in rest),
                sum((s.total for s in rest), Decimal(0)),
                sum(s.share for s in rest),
                sum(s.total_share for s in rest),
            )
        )
    labels = [_short(f"{s.key} {s.name}" if codes else s.name or s.key) for s in shown][::-1]
    values = [(s.total_share if by_money else s.share) for s in shown][::-1]
    bars = ax.barh(labels, values, color=BLUE if not by_money else GREEN)
    for bar, s in zip(bars, shown[::-1], strict=True):
        text = short_money(s.total) if by_money else f"{group_digits(s.count)} · {percent(s.share)}"
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {text}",
            va="center",
            fontsize=11,
        )
    ax.set_title(title, fontsize=14, loc="left", fontweight="bold")
    ax.set_xlim(0, max([*values, 0.01]) * 1.6)
    ax.xaxis.set_visible(False)
    ax.tick_params(axis="y", labelsize=11)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)


def stats_chart(stats: Stats) -> bytes:
    """The chart as PNG bytes (1200 × 1200 px). Call only for non-empty stats."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(3, 2, height_ratios=(1.15, 1, 1))
    period = f"{stats.period.start:%d.%m.%Y} – {stats.period.end:%d.%m.%Y}"
    fig.suptitle(
        f"Закупки: {stats.region_name}, {period}", fontsize=17, fontweight="bold", x=0.01, ha="left"
    )

    # monthly trend: procedures' initial prices and contracts' prices
    ax = fig.add_subplot(grid[0, :])
    series = trend(stats)
    xs = list(range(len(series.labels)))
    width = 0.4
    ax.bar(
        [x - width / 2 for x in xs],
        list(series.procedures_total),
        width,
        label="НМЦК процедур",
        color=BLUE,
    )
    ax.bar(
        [x + width / 2 for x in xs],
        list(series.contracts_total),
        width,
        label="Цена контрактов",
        color=ORANGE,
    )
    ax.set_xticks(xs, list(series.labels), fontsize=10 if len(xs) > 12 else 12)
    if not series.by_year and len(xs) > 24:
        for i, label in enumerate(ax.get_xticklabels()):
            label.set_visible(i % 3 == 0)
    ax.yaxis.set_major_formatter(FuncFormatter(axis_money))
    ax.tick_params(axis="y", labelsize=12)
    ax.set_ylabel("₽", fontsize=12)
    ax.set_title(
        f"{'По годам' if series.by_year else 'По месяцам'} · процедур "
        f"{group_digits(stats.procedures.count)} на "
        f"{short_money(stats.procedures.total_max_price)}, контрактов "
        f"{group_digits(stats.contracts.count)} на {short_money(stats.contracts.total_price)}",
        fontsize=13,
        loc="left",
    )
    ax.legend(fontsize=11, loc="upper left", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    _hbars(fig.add_subplot(grid[1, 0]), "Способы закупки", stats.by_method, by_money=False)
    _hbars(fig.add_subplot(grid[1, 1]), "Электронные площадки", stats.by_platform, by_money=False)
    _hbars(
        fig.add_subplot(grid[2, 0]),
        "Топ групп ОКПД2 по НМЦК",
        stats.top_okpd2,
        by_money=True,
        codes=True,
    )

    # SME shares
    ax = fig.add_subplot(grid[2, 1])
    p, c = stats.procedures, stats.contracts
    labels = [
        "Процедуры только\nдля СМП (шт.)",
        "Процедуры только\nдля СМП (₽)",
        "Контракты\nс СМП (₽)",
    ]
    values = [p.smp_only_share, p.smp_only_total_share, c.smp_supplier_share]
    bars = ax.barh(labels[::-1], [1.0] * 3, color=GREY, alpha=0.35)
    ax.barh(labels[::-1], values[::-1], color=GREEN)
    for bar, value in zip(bars, values[::-1], strict=True):
        ax.text(1.02, bar.get_y() + bar.get_height() / 2, percent(value), va="center", fontsize=12)
    ax.set_xlim(0, 1.3)
    ax.xaxis.set_visible(False)
    ax.tick_params(axis="y", labelsize=11)
    ax.set_title("Доля СМП", fontsize=14, loc="left", fontweight="bold")
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()
