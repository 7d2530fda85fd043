"""Procurement statistics for a region (or all Russia) and a period.

Every figure is computed by SQL aggregation (GROUP BY / SUM / COUNT); Python only merges the
few grouped rows. Procedures are counted by `published_at` (UTC), contracts by `signed_on`.
Money is summed only for roubles; on SQLite (where NUMERIC is a float) the sum is taken in
whole kopecks so it stays exact. Results are cached per (database, region, period, day) in
memory; `clear_cache()` drops them (the importer calls it after every import)."""

from __future__ import annotations

import csv
import io
import re
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, FromClause, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import stats_cells as cells
from bot.services.errors import BadInput
from models import StatContracts, StatCustomers, StatOkpd2, StatProcedures

ALL = "all"
TOP_N = 10
# The EIS open data starts in 2011 (zakupki.gov.ru); any period from then to the end of next
# year is answered from the monthly cells, so its length costs nothing (15 years = 180 cells).
EARLIEST_YEAR = 2011
CACHE_TTL = 15 * 60.0  # seconds: a safety net when another process imported data
CACHE_SIZE = 256
KOPECK = Decimal("0.01")

# First two digits of the INN/KPP: the codes `Procedure.region` holds.
REGIONS: dict[str, str] = {
    "01": "Республика Адыгея", "02": "Республика Башкортостан", "03": "Республика Бурятия",
    "04": "Республика Алтай", "05": "Республика Дагестан", "06": "Республика Ингушетия",
    "07": "Кабардино-Балкарская Республика", "08": "Республика Калмыкия",
    "09": "Карачаево-Черкесская Республика", "10": "Республика Карелия", "11": "Республика Коми",
    "12": "Республика Марий Эл", "13": "Республика Мордовия", "14": "Республика Саха (Якутия)",
    "15": "Республика Северная Осетия — Алания", "16": "Республика Татарстан",
    "17": "Республика Тыва", "18": "Удмуртская Республика", "19": "Республика Хакасия",
    "20": "Чеченская Республика", "21": "Чувашская Республика", "22": "Алтайский край",
    "23": "Краснодарский край", "24": "Красноярский край", "25": "Приморский край",
    "26": "Ставропольский край", "27": "Хабаровский край", "28": "Амурская область",
    "29": "Архангельская область", "30": "Астраханская область", "31": "Белгородская область",
    "32": "Брянская область", "33": "Владимирская область", "34": "Волгоградская область",
    "35": "Вологодская область", "36": "Воронежская область", "37": "Ивановская область",
    "38": "Иркутская область", "39": "Калининградская область", "40": "Калужская область",
    "41": "Камчатский край", "42": "Кемеровская область — Кузбасс", "43": "Кировская область",
    "44": "Костромская область", "45": "Курганская область", "46": "Курская область",
    "47": "Ленинградская область", "48": "Липецкая область", "49": "Магаданская область",
    "50": "Московская область", "51": "Мурманская область", "52": "Нижегородская область",
    "53": "Новгородская область", "54": "Новосибирская область", "55": "Омская область",
    "56": "Оренбургская область", "57": "Орловская область", "58": "Пензенская область",
    "59": "Пермский край", "60": "Псковская область", "61": "Ростовская область",
    "62": "Рязанская область", "63": "Самарская область", "64": "Саратовская область",
    "65": "Сахалинская область", "66": "Свердловская область", "67": "Смоленская область",
    "68": "Тамбовская область", "69": "Тверская область", "70": "Томская область",
    "71": "Тульская область", "72": "Тюменская область", "73": "Ульяновская область",
    "74": "Челябинская область", "75": "Забайкальский край", "76": "Ярославская область",
    "77": "Москва", "78": "Санкт-Петербург", "79": "Еврейская автономная область",
    "83": "Ненецкий автономный округ", "86": "Ханты-Мансийский автономный округ — Югра",
    "87": "Чукотский автономный округ", "89": "Ямало-Ненецкий автономный округ",
    "90": "Запорожская область", "91": "Республика Крым", "92": "Севастополь",
    "93": "Донецкая Народная Республика", "94": "Луганская Народная Республика",
    "95": "Херсонская область", "99": "Межрегиональные заказчики",
}  # fmt: skip

# OKPD2 classes (first two digits of a code).
OKPD2_GROUPS: dict[str, str] = {
    "01": "Продукция сельского хозяйства", "02": "Продукция лесоводства", "03": "Рыба",
    "05": "Уголь", "06": "Нефть и газ", "07": "Руды металлические",
    "08": "Прочие полезные ископаемые", "09": "Услуги в области добычи",
    "10": "Продукты пищевые", "11": "Напитки", "12": "Изделия табачные", "13": "Текстиль",
    "14": "Одежда", "15": "Кожа и изделия из кожи", "16": "Древесина и изделия из дерева",
    "17": "Бумага и изделия из бумаги", "18": "Полиграфия", "19": "Нефтепродукты",
    "20": "Химические вещества", "21": "Лекарственные средства",
    "22": "Резиновые и пластмассовые изделия", "23": "Неметаллическая минеральная продукция",
    "24": "Металлы", "25": "Готовые металлические изделия", "26": "Компьютеры и электроника",
    "27": "Электрооборудование", "28": "Машины и оборудование", "29": "Автотранспорт",
    "30": "Прочие транспортные средства", "31": "Мебель", "32": "Прочие готовые изделия",
    "33": "Ремонт и монтаж машин", "35": "Электроэнергия, газ, пар", "36": "Вода",
    "37": "Водоотведение", "38": "Отходы", "39": "Рекультивация",
    "41": "Здания и работы по их возведению", "42": "Сооружения и строительные работы",
    "43": "Специализированные строительные работы", "45": "Ремонт автотранспорта",
    "46": "Оптовая торговля", "47": "Розничная торговля", "49": "Сухопутный транспорт",
    "50": "Водный транспорт", "51": "Воздушный транспорт", "52": "Складское хозяйство",
    "53": "Почта и курьеры", "55": "Размещение", "56": "Общественное питание",
    "58": "Издательская деятельность", "59": "Кино и видео", "60": "Теле- и радиовещание",
    "61": "Связь", "62": "Разработка ПО и консультации", "63": "Информационные услуги",
    "64": "Финансовые услуги", "65": "Страхование", "66": "Вспомогательные финансовые услуги",
    "68": "Недвижимость", "69": "Юридические и бухгалтерские услуги",
    "70": "Управленческий консалтинг", "71": "Архитектура и инженерия",
    "72": "Научные исследования", "73": "Реклама и маркетинг",
    "74": "Прочие профессиональные услуги", "75": "Ветеринария", "77": "Аренда и лизинг",
    "78": "Подбор персонала", "79": "Туризм", "80": "Охрана и расследования",
    "81": "Обслуживание зданий и территорий", "82": "Административные услуги",
    "84": "Государственное управление", "85": "Образование", "86": "Здравоохранение",
    "87": "Уход с проживанием", "88": "Социальные услуги", "90": "Творчество и искусство",
    "91": "Библиотеки, архивы, музеи", "93": "Спорт и отдых", "94": "Общественные организации",
    "95": "Ремонт компьютеров и бытовых предметов", "96": "Прочие персональные услуги",
}  # fmt: skip

NO_PLATFORM = "не указана"


# --------------------------------------------------------------------------- inputs
@dataclass(frozen=True, slots=True)
class Period:
    start: date  # inclusive
    end: date  # inclusive
    kind: str = "custom"  # month | quarter | year | custom

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[str]:
        """'YYYY-MM' of every month the period touches, in order."""
        out: list[str] = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


@dataclass(frozen=True, slots=True)
class StatsQuery:
    region: str | None  # None: all Russia
    period: Period


def region_name(code: str | None) -> str:
    return "вся Россия" if code is None else REGIONS.get(code, f"регион {code}")


def parse_region(value: str | None, default: str | None = None) -> str | None:
    """'74' → '74'; 'all' / 'вся' / 'россия' → None (all Russia); unknown codes are BadInput."""
    text = (value or "").strip().lower()
    if not text:
        return default
    if text in {ALL, "вся", "все", "россия", "рф", "вся россия", "*"}:
        return None
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    if text in REGIONS:
        return text
    raise BadInput(
        f"Не знаю региона «{value}». Укажите код из двух цифр, например 74 "
        "(Челябинская область), или «all» — вся Россия."
    )


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%Y%m%d")


def parse_date(value: str, *, end: bool = False) -> date:
    """A day ('2026-03-01', '01.03.2026'), a month ('2026-03', '03.2026') or a year ('2026');
    a month or a year means its first day, or its last day when `end`."""
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    m = re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{1,2})\.(\d{4})", text)
    if m:
        year = int(m.group(1) or m.group(4))
        month = int(m.group(2) or m.group(3))
        if 1 <= month <= 12 and year >= 1:
            first = date(year, month, 1)
            return _month_end(first) if end else first
    if re.fullmatch(r"\d{4}", text) and int(text) >= 1:
        return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    raise BadInput(
        f"Не понял дату «{value[:40]}». Пишите так: 2026-03-01, 01.03.2026, 2026-03 или 2026."
    )


def _month_end(day: date) -> date:
    nxt = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return nxt - timedelta(days=1)


def make_period(
    kind: str, today: date, start: date | None = None, end: date | None = None
) -> Period:
    """The current month / quarter / year containing `today`, or a checked custom period."""
    if kind == "month":
        first = today.replace(day=1)
        return Period(first, _month_end(first), "month")
    if kind == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = _month_end(date(first.year, first.month + 2, 1))
        return Period(first, last, "quarter")
    if kind == "year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), "year")
    if kind != "custom":
        raise BadInput(f"Неизвестный период «{kind[:20]}»: month, quarter, year или custom.")
    if start is None or end is None:
        raise BadInput("Для своего периода нужны обе даты: начало и конец.")
    return check_period(Period(start, end, "custom"), today)


def check_period(period: Period, today: date) -> Period:
    if period.start > period.end:
        raise BadInput(
            f"Начало периода ({period.start:%d.%m.%Y}) позже конца ({period.end:%d.%m.%Y}): "
            "поменяйте даты местами."
        )
    if period.start.year < EARLIEST_YEAR:
        raise BadInput(f"Данных ЕИС раньше {EARLIEST_YEAR} года нет: выберите период позже.")
    if period.end.year > today.year + 1:
        raise BadInput(
            f"Период заходит дальше {today.year + 1} года: таких данных ещё нет, "
            "выберите период раньше."
        )
    return period


# --------------------------------------------------------------------------- results
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
    commas): section, key, name, count, total, share, total_share; the period is its own row."""
    out = io.StringIO()
    w = _CsvWriter(csv.writer(out, delimiter=";", lineterminator="\r\n"))
    w.writerow(["section", "key", "name", "count", "total", "share", "total_share"])
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


# --------------------------------------------------------------------------- SQL
def _money(kop: Any) -> Decimal:
    """Whole kopecks (an int, a PostgreSQL NUMERIC sum or None) as roubles."""
    return (Decimal(int(kop or 0)) / 100).quantize(KOPECK)


def _utc_bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.start, dtime.min, UTC)
    end = datetime.combine(period.end + timedelta(days=1), dtime.min, UTC)
    return start, end


def _split(groups: dict[str, list[Any]], count: int, total: Decimal) -> tuple[Share, ...]:
    """Shares from {key: [count, kopecks, name]} ordered by count desc, then money, then key."""
    rows = sorted(groups.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    return tuple(_share(k, v, count, total) for k, v in rows)


def _top(groups: dict[str, list[Any]], count: int, total: Decimal) -> tuple[Share, ...]:
    """The TOP_N groups by money, then count, then key."""
    rows = sorted(groups.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:TOP_N]
    return tuple(_share(k, v, count, total) for k, v in rows)


def _share(key: str, acc: list[Any], count: int, total: Decimal) -> Share:
    money = _money(acc[1])
    return Share(key, acc[2], acc[0], money, ratio(acc[0], count), ratio(money, total))


def _add(groups: dict[str, list[Any]], key: str, name: str, n: Any, kop: Any) -> None:
    acc = groups.setdefault(key, [0, 0, name])
    acc[0] += int(n)
    acc[1] += int(kop or 0)
    acc[2] = max(acc[2], name)


@dataclass(frozen=True, slots=True)
class _Source:
    """One part of a period's figures: the monthly cells of its whole months, or, for the
    partial months of a custom period, the base tables through the same grouped SELECTs."""

    procedures: FromClause
    okpd2: FromClause
    customers: FromClause
    contracts: FromClause
    where: Callable[[FromClause], list[ColumnElement[bool]]]


def _month_first(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _sources(query: StatsQuery, dialect: str) -> list[_Source]:
    period, region = query.period, query.region
    full = [
        m
        for m in period.months()
        if _month_first(m) >= period.start and _month_end(_month_first(m)) <= period.end
    ]
    out: list[_Source] = []
    ranges: list[tuple[date, date]] = []
    if full:

        def cells_of(table: FromClause) -> list[ColumnElement[bool]]:
            where: list[ColumnElement[bool]] = [table.c.month.in_(full)]
            if region is not None:
                where.append(table.c.region == region)
            return where

        out.append(
            _Source(
                StatProcedures.__table__,
                StatOkpd2.__table__,
                StatCustomers.__table__,
                StatContracts.__table__,
                cells_of,
            )
        )
        first_full, last_full = _month_first(full[0]), _month_end(_month_first(full[-1]))
        if period.start < first_full:
            ranges.append((period.start, first_full - timedelta(days=1)))
        if last_full < period.end:
            ranges.append((last_full + timedelta(days=1), period.end))
    else:
        ranges.append((period.start, period.end))
    for first, last in ranges:
        start, end = _utc_bounds(Period(first, last))
        p_where = cells.procedure_range(region, start, end)
        c_where = cells.contract_range(region, first, last)
        out.append(
            _Source(
                cells.procedure_cells(dialect, *p_where).subquery(),
                cells.okpd2_cells(dialect, *p_where).subquery(),
                cells.customer_cells(dialect, *p_where).subquery(),
                cells.contract_cells(dialect, *c_where).subquery(),
                lambda table: [],
            )
        )
    return out


async def compute_stats(session: AsyncSession, query: StatsQuery, today: date) -> Stats:
    """Figures of `query` (no cache) from the monthly cells, plus the base tables for the
    partial months of a custom period. Python only merges grouped rows."""
    dialect = session.get_bind().dialect.name
    sources = _sources(query, dialect)
    total_n = total_kop = smp_n = smp_kop = 0
    laws: dict[str, list[Any]] = {}
    methods: dict[str, list[Any]] = {}
    platforms: dict[str, list[Any]] = {}
    p_months: dict[str, list[Any]] = {}
    customers: dict[str, list[Any]] = {}
    okpd: dict[str, list[Any]] = {}
    c_n = c_kop = c_smp_n = c_smp_kop = executed = terminated = overdue = 0
    c_months: dict[str, list[Any]] = {}
    for src in sources:
        t = src.procedures
        for law, method, platform, smp_only, m, n, kop in await session.execute(
            select(
                t.c.law,
                t.c.method,
                t.c.platform,
                t.c.smp_only,
                t.c.month,
                func.sum(t.c.n),
                func.sum(t.c.kopecks),
            )
            .where(*src.where(t))
            .group_by(t.c.law, t.c.method, t.c.platform, t.c.smp_only, t.c.month)
        ):
            total_n += int(n)
            total_kop += int(kop or 0)
            if smp_only:
                smp_n += int(n)
                smp_kop += int(kop or 0)
            _add(laws, law, {"44": "44-ФЗ", "223": "223-ФЗ"}.get(law, law), n, kop)
            _add(methods, method, method, n, kop)
            _add(platforms, platform or NO_PLATFORM, platform or NO_PLATFORM, n, kop)
            _add(p_months, m, m, n, kop)
        t = src.customers
        top = (
            select(t.c.customer, func.max(t.c.name), func.sum(t.c.n), func.sum(t.c.kopecks))
            .where(*src.where(t))
            .group_by(t.c.customer)
        )
        if len(sources) == 1:  # one source: the database can cut the list itself
            top = top.order_by(
                func.sum(t.c.kopecks).desc(), func.sum(t.c.n).desc(), t.c.customer
            ).limit(TOP_N)
        for key, name, n, kop in await session.execute(top):
            _add(customers, str(key), str(name), n, kop)
        t = src.okpd2
        for group, n, kop in await session.execute(
            select(t.c.grp, func.sum(t.c.n), func.sum(t.c.kopecks))
            .where(*src.where(t))
            .group_by(t.c.grp)
        ):
            _add(okpd, str(group), OKPD2_GROUPS.get(str(group), f"группа {group}"), n, kop)
        t = src.contracts
        for m, smp, state, n, kop in await session.execute(
            select(t.c.month, t.c.smp, t.c.state, func.sum(t.c.n), func.sum(t.c.kopecks))
            .where(*src.where(t))
            .group_by(t.c.month, t.c.smp, t.c.state)
        ):
            c_n += int(n)
            c_kop += int(kop or 0)
            if smp:
                c_smp_n += int(n)
                c_smp_kop += int(kop or 0)
            executed += int(n) if state == "EC" else 0
            terminated += int(n) if state == "ET" else 0
            _add(c_months, m, m, n, kop)
        overdue += int(
            (
                await session.execute(
                    select(func.coalesce(func.sum(t.c.n), 0)).where(
                        *src.where(t), t.c.state == "", t.c.open_end < today
                    )
                )
            ).scalar_one()
        )

    count, total = total_n, _money(total_kop)
    c_total, c_smp_total = _money(c_kop), _money(c_smp_kop)
    months = query.period.months()
    for m in list(p_months) + list(c_months):  # months outside (should not happen) still shown
        if m not in months:
            months.append(m)
    months.sort()
    monthly = tuple(
        MonthPoint(
            m,
            p_months.get(m, [0])[0],
            _money(p_months.get(m, [0, 0])[1]),
            c_months.get(m, [0])[0],
            _money(c_months.get(m, [0, 0])[1]),
        )
        for m in months
    )
    smp_total = _money(smp_kop)
    return Stats(
        region=query.region,
        region_name=region_name(query.region),
        period=query.period,
        today=today,
        procedures=ProcedureTotals(
            count, total, smp_n, smp_total, ratio(smp_n, count), ratio(smp_total, total)
        ),
        by_law=_split(laws, count, total),
        by_method=_split(methods, count, total),
        by_platform=_split(platforms, count, total),
        top_customers=_top(customers, count, total),
        top_okpd2=_top(okpd, count, total),
        contracts=ContractTotals(
            count=c_n,
            total_price=c_total,
            smp_supplier_count=c_smp_n,
            smp_supplier_total=c_smp_total,
            smp_supplier_share=ratio(c_smp_total, c_total),
            executed=executed,
            terminated=terminated,
            overdue=overdue,
        ),
        monthly=monthly,
    )


# --------------------------------------------------------------------------- cache
_Key = tuple[str | None, date, date, date]
_CACHE: weakref.WeakKeyDictionary[Any, OrderedDict[_Key, tuple[float, Stats]]] = (
    weakref.WeakKeyDictionary()
)


def clear_cache() -> None:
    """Forget every cached figure (call after an import changed the data)."""
    _CACHE.clear()


async def get_stats(
    session: AsyncSession, query: StatsQuery, now: datetime, *, use_cache: bool = True
) -> Stats:
    """Statistics for `query`, cached per database, region, period and day."""
    today = now.astimezone(UTC).date()
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    key: _Key = (query.region, query.period.start, query.period.end, today)
    entries = _CACHE.setdefault(engine, OrderedDict())
    hit = entries.get(key) if use_cache else None
    if hit is not None and hit[0] > time.monotonic():
        entries.move_to_end(key)
        return hit[1] if hit[1].period == query.period else replace(hit[1], period=query.period)
    stats = await compute_stats(session, query, today)
    await session.rollback()  # end the read transaction: nothing was written
    entries[key] = (time.monotonic() + CACHE_TTL, stats)
    while len(entries) > CACHE_SIZE:
        entries.popitem(last=False)
    return stats
