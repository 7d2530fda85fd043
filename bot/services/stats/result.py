"""The frozen figures handed to the UI: totals, splits, the monthly trend."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bot.services.stats.period import Period
from bot.services.stats.regions import ALL


@dataclass(frozen=True, slots=True)
class Share:
    """One row of a split: `key` is the code (law, INN, OKPD2 group…), `name` its label."""

    key: str
    name: str
    count: int
    total: Decimal
    share: float  # of the count, 0..1
    total_share: float  # of the money, 0..1


@dataclass(frozen=True, slots=True)
class ProcedureTotals:
    count: int
    total_max_price: Decimal
    smp_only_count: int
    smp_only_total: Decimal
    smp_only_share: float  # of the count
    smp_only_total_share: float  # of the money


@dataclass(frozen=True, slots=True)
class ContractTotals:
    count: int
    total_price: Decimal
    smp_supplier_count: int
    smp_supplier_total: Decimal
    smp_supplier_share: float  # of the money
    executed: int  # status EC
    terminated: int  # status ET
    overdue: int  # execution_end passed, neither EC nor ET


@dataclass(frozen=True, slots=True)
class MonthPoint:
    month: str  # YYYY-MM
    procedures: int
    procedures_total: Decimal
    contracts: int
    contracts_total: Decimal


@dataclass(frozen=True, slots=True)
class Stats:
    region: str | None
    region_name: str
    period: Period
    today: date
    procedures: ProcedureTotals
    by_law: tuple[Share, ...]
    by_method: tuple[Share, ...]
    by_platform: tuple[Share, ...]
    top_customers: tuple[Share, ...]
    top_okpd2: tuple[Share, ...]
    contracts: ContractTotals
    monthly: tuple[MonthPoint, ...]

    @property
    def empty(self) -> bool:
        return self.procedures.count == 0 and self.contracts.count == 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: money as decimal strings, shares as fractions rounded to 4 digits."""

        def shares(items: Iterable[Share], key: str) -> list[dict[str, Any]]:
            return [
                {
                    key: s.key,
                    **({"name": s.name} if s.name != s.key else {}),
                    "count": s.count,
                    "total": str(s.total),
                    "share": s.share,
                    "total_share": s.total_share,
                }
                for s in items
            ]

        p, c = self.procedures, self.contracts
        return {
            "region": self.region or ALL,
            "region_name": self.region_name,
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "procedures": {
                "count": p.count,
                "total_max_price": str(p.total_max_price),
                "smp_only_count": p.smp_only_count,
                "smp_only_total": str(p.smp_only_total),
                "smp_only_share": p.smp_only_share,
                "smp_only_total_share": p.smp_only_total_share,
            },
            "by_law": shares(self.by_law, "law"),
            "by_method": shares(self.by_method, "method"),
            "by_platform": shares(self.by_platform, "platform"),
            "top_customers": shares(self.top_customers, "inn"),
            "top_okpd2": shares(self.top_okpd2, "group"),
            "contracts": {
                "count": c.count,
                "total_price": str(c.total_price),
                "smp_supplier_count": c.smp_supplier_count,
                "smp_supplier_total": str(c.smp_supplier_total),
                "smp_supplier_share": c.smp_supplier_share,
                "executed": c.executed,
                "terminated": c.terminated,
                "overdue": c.overdue,
            },
            "monthly": [
                {
                    "month": m.month,
                    "procedures": m.procedures,
                    "procedures_total": str(m.procedures_total),
                    "contracts": m.contracts,
                    "contracts_total": str(m.contracts_total),
                }
                for m in self.monthly
            ],
        }


def ratio(part: int | Decimal, whole: int | Decimal) -> float:
    """part / whole rounded to 4 digits; 0 when whole is 0."""
    if not whole:
        return 0.0
    return round(float(Decimal(part) / Decimal(whole)), 4)
