"""The statistics as CSV for Russian Excel (UTF-8 with BOM, «;» between cells, decimal commas)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from bot.services.stats.regions import ALL
from bot.services.stats.result import Stats, ratio
from bot.ui.render import render


class _CsvWriter:
    """Numbers with a decimal comma, as a Russian spreadsheet reads them."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow(
            [
                f"{v:f}".replace(".", ",")
                if isinstance(v, Decimal)
                else f"{v:.6f}".rstrip("0").rstrip(".").replace(".", ",")
                if isinstance(v, float)
                else v
                for v in row
            ]
        )


def to_csv(stats: Stats) -> bytes:
    """The figures as CSV for Russian Excel (UTF-8 with BOM, «;» between cells, decimal
    commas). The headers are Russian (templates/stats/csv_header); the cells are section, key,
    name, count, total, share, total_share; the period is its own row."""
    out = io.StringIO()
    w = _CsvWriter(csv.writer(out, delimiter=";", lineterminator="\r\n"))
    w.writerow(render("stats/csv_header").splitlines())
    p, c = stats.procedures, stats.contracts
    w.writerow(["query", stats.region or ALL, stats.region_name, "", "", "", ""])
    w.writerow(["period", stats.period.start.isoformat(), stats.period.end.isoformat()])
    w.writerow(["procedures", "all", "Все процедуры", p.count, p.total_max_price, 1, 1])
    w.writerow(
        [
            "procedures",
            "smp_only",
            "Только для СМП",
            p.smp_only_count,
            p.smp_only_total,
            p.smp_only_share,
            p.smp_only_total_share,
        ]
    )
    for section, items in (
        ("law", stats.by_law),
        ("method", stats.by_method),
        ("platform", stats.by_platform),
        ("customer", stats.top_customers),
        ("okpd2", stats.top_okpd2),
    ):
        for s in items:
            w.writerow([section, s.key, s.name, s.count, s.total, s.share, s.total_share])
    w.writerow(["contracts", "all", "Все контракты", c.count, c.total_price, 1, 1])
    w.writerow(
        [
            "contracts",
            "smp_supplier",
            "Поставщик — СМП",
            c.smp_supplier_count,
            c.smp_supplier_total,
            ratio(c.smp_supplier_count, c.count),
            c.smp_supplier_share,
        ]
    )
    for key, name, n in (
        ("executed", "Исполнены (EC)", c.executed),
        ("terminated", "Расторгнуты (ET)", c.terminated),
        ("overdue", "Просрочены", c.overdue),
    ):
        w.writerow(["contracts", key, name, n, "", ratio(n, c.count), ""])
    for m in stats.monthly:
        w.writerow(["month_procedures", m.month, "", m.procedures, m.procedures_total, "", ""])
        w.writerow(["month_contracts", m.month, "", m.contracts, m.contracts_total, "", ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
