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
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    and_,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import BadInput
from models import Contract, Procedure

ALL = "all"
RUB_CODES = ("RUB", "RUR", "643", "810")
TOP_N = 10
EARLIEST = date(2010, 1, 1)  # the EIS (and its predecessor) has nothing older
MAX_SPAN_DAYS = 5 * 366 + 1
MAX_FUTURE_DAYS = 366
CACHE_TTL = 15 * 60.0  # seconds: a safety net when another process imported data
CACHE_SIZE = 256
PERIOD_KINDS = ("month", "quarter", "year", "custom")
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
NO_OKPD2 = "—"


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
    if period.start < EARLIEST:
        raise BadInput(f"Данных ЕИС раньше {EARLIEST:%Y} года нет: выберите период позже.")
    if period.start > today + timedelta(days=MAX_FUTURE_DAYS):
        raise BadInput("Этот период ещё не наступил: выберите период в прошлом.")
    if period.days > MAX_SPAN_DAYS:
        raise BadInput("Период слишком длинный: не больше 5 лет.")
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


def to_csv(stats: Stats) -> bytes:
    """The figures as CSV (UTF-8 with BOM for spreadsheets): section, key, name, count,
    total, share."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["section", "key", "name", "count", "total", "share", "total_share"])
    p, c = stats.procedures, stats.contracts
    period = f"{stats.period.start.isoformat()}..{stats.period.end.isoformat()}"
    w.writerow(["query", stats.region or ALL, stats.region_name, "", "", "", period])
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
def _month(column: Any, dialect: str) -> ColumnElement[str]:
    """'YYYY-MM' of a UTC datetime or a date column. No bound parameters, so the same
    expression can appear in SELECT and GROUP BY on PostgreSQL."""
    if dialect == "sqlite":  # stored as 'YYYY-MM-DD[ HH:MM:SS…]' in UTC; substr beats strftime
        return func.substr(column, literal_column("1"), literal_column("7"))
    if isinstance(column.type, Date):
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.to_char(func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM'"))


def _rub(amount: Any, currency: Any) -> ColumnElement[Any]:
    return case((currency.in_(RUB_CODES), amount), else_=None)


def _money_sum(amount: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """SUM that stays exact: PostgreSQL sums NUMERIC; SQLite sums whole kopecks."""
    if dialect == "sqlite":
        return func.sum(cast(func.round(amount * 100), BigInteger))
    return func.sum(amount)


def _money(value: Any, dialect: str) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if dialect == "sqlite":
        return (Decimal(int(value)) / 100).quantize(KOPECK)
    return Decimal(value).quantize(KOPECK)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1), else_=None))


def _utc_bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.start, dtime.min, UTC)
    end = datetime.combine(period.end + timedelta(days=1), dtime.min, UTC)
    return start, end


def _split(groups: dict[str, list[Any]], count: int, total: Decimal) -> tuple[Share, ...]:
    """Shares from {key: [count, total, name]} ordered by count desc, then key."""
    rows = sorted(groups.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    return tuple(
        Share(k, v[2], v[0], v[1], ratio(v[0], count), ratio(v[1], total)) for k, v in rows
    )


async def compute_stats(session: AsyncSession, query: StatsQuery, today: date) -> Stats:
    """Aggregate procedures and contracts of `query` (no cache)."""
    dialect = session.get_bind().dialect.name
    start, end = _utc_bounds(query.period)
    P, C = Procedure, Contract
    p_where: list[ColumnElement[bool]] = [P.published_at >= start, P.published_at < end]
    c_where: list[ColumnElement[bool]] = [
        C.signed_on >= query.period.start,
        C.signed_on <= query.period.end,
    ]
    if query.region is not None:
        p_where.append(P.region == query.region)
        c_where.append(C.region == query.region)
    p_money = _money_sum(_rub(P.max_price, P.currency), dialect)
    c_money = _money_sum(_rub(C.price, C.currency), dialect)

    # 1. one scan: procedures grouped by law, method, platform, SME-only and month
    month = _month(P.published_at, dialect)
    cube = (
        await session.execute(
            select(P.law, P.method, P.platform_name, P.smp_only, month, func.count(), p_money)
            .where(*p_where)
            .group_by(P.law, P.method, P.platform_name, P.smp_only, month)
        )
    ).all()
    count = 0
    total = Decimal("0.00")
    smp_count = 0
    smp_total = Decimal("0.00")
    laws: dict[str, list[Any]] = {}
    methods: dict[str, list[Any]] = {}
    platforms: dict[str, list[Any]] = {}
    p_months: dict[str, list[Any]] = {}
    for law, method, platform, smp_only, m, n, raw in cube:  # grouped rows, not procedures
        amount = _money(raw, dialect)
        count += n
        total += amount
        if smp_only:
            smp_count += n
            smp_total += amount
        law_name = {"44": "44-ФЗ", "223": "223-ФЗ"}.get(law, law)
        for target, key, name in (
            (laws, law, law_name),
            (methods, method, method),
            (platforms, platform or NO_PLATFORM, platform or NO_PLATFORM),
            (p_months, m, m),
        ):
            acc = target.setdefault(key, [0, Decimal("0.00"), name])
            acc[0] += n
            acc[1] += amount

    # 2. top customers
    customer_key = func.coalesce(P.customer_inn, P.customer_name)
    customers = (
        await session.execute(
            select(
                customer_key.label("k"),
                func.max(P.customer_name),
                func.count().label("n"),
                p_money.label("total"),
            )
            .where(*p_where)
            .group_by(customer_key)
            .order_by(func.coalesce(p_money, 0).desc(), func.count().desc(), customer_key)
            .limit(TOP_N)
        )
    ).all()
    # 3. top OKPD2 groups (first two digits of okpd2_main)
    group = func.coalesce(
        func.substr(P.okpd2_main, literal_column("1"), literal_column("2")),
        literal_column(f"'{NO_OKPD2}'"),
    )
    okpd = (
        await session.execute(
            select(group.label("g"), func.count().label("n"), p_money.label("total"))
            .where(*p_where)
            .group_by(group)
            .order_by(func.coalesce(p_money, 0).desc(), func.count().desc(), group)
            .limit(TOP_N)
        )
    ).all()

    # 4. contracts: totals with conditional aggregates, then a monthly split
    status = func.coalesce(C.status_code, "")
    finished = status.in_(("EC", "ET"))
    smp = C.supplier_is_smp.is_(True)
    c_row = (
        await session.execute(
            select(
                func.count(),
                c_money,
                _count_if(smp),
                _money_sum(case((smp, _rub(C.price, C.currency)), else_=None), dialect),
                _count_if(status == "EC"),
                _count_if(status == "ET"),
                _count_if(and_(C.execution_end < today, ~finished)),
            ).where(*c_where)
        )
    ).one()
    c_month = _month(C.signed_on, dialect)
    c_months = {
        m: (n, _money(raw, dialect))
        for m, n, raw in (
            await session.execute(
                select(c_month, func.count(), c_money).where(*c_where).group_by(c_month)
            )
        ).all()
    }

    c_count = int(c_row[0])
    c_total = _money(c_row[1], dialect)
    c_smp_total = _money(c_row[3], dialect)
    months = query.period.months()
    for m in list(p_months) + list(c_months):  # months outside (should not happen) still shown
        if m not in months:
            months.append(m)
    months.sort()
    monthly = tuple(
        MonthPoint(
            m,
            int(p_months.get(m, [0])[0]),
            p_months[m][1] if m in p_months else Decimal("0.00"),
            c_months.get(m, (0, Decimal("0.00")))[0],
            c_months.get(m, (0, Decimal("0.00")))[1],
        )
        for m in months
    )
    return Stats(
        region=query.region,
        region_name=region_name(query.region),
        period=query.period,
        today=today,
        procedures=ProcedureTotals(
            count, total, smp_count, smp_total, ratio(smp_count, count), ratio(smp_total, total)
        ),
        by_law=_split(laws, count, total),
        by_method=_split(methods, count, total),
        by_platform=_split(platforms, count, total),
        top_customers=tuple(
            Share(
                str(k),
                str(name),
                int(n),
                _money(raw, dialect),
                ratio(int(n), count),
                ratio(_money(raw, dialect), total),
            )
            for k, name, n, raw in customers
        ),
        top_okpd2=tuple(
            Share(
                str(g),
                OKPD2_GROUPS.get(str(g), f"группа {g}"),
                int(n),
                _money(raw, dialect),
                ratio(int(n), count),
                ratio(_money(raw, dialect), total),
            )
            for g, n, raw in okpd
        ),
        contracts=ContractTotals(
            count=c_count,
            total_price=c_total,
            smp_supplier_count=int(c_row[2]),
            smp_supplier_total=c_smp_total,
            smp_supplier_share=ratio(c_smp_total, c_total),
            executed=int(c_row[4]),
            terminated=int(c_row[5]),
            overdue=int(c_row[6]),
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
