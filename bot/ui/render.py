"""One Jinja environment with autoescape; every message text comes from a template."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form for n: 1 день, 2 дня, 5 дней."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def until_words(delta: timedelta) -> str:
    """Rounded Russian words for a time span: «1 день», «3 часа», «15 минут»."""
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes >= 1410:
        days = round(minutes / 1440)
        return f"{days} {plural(days, 'день', 'дня', 'дней')}"
    if minutes >= 55:
        hours = round(minutes / 60)
        return f"{hours} {plural(hours, 'час', 'часа', 'часов')}"
    return f"{minutes} {plural(minutes, 'минуту', 'минуты', 'минут')}"


def money(value: Decimal | int | float | None, currency: str = "₽") -> str:
    """1234567.5 -> '1 234 567,50 ₽' with narrow no-break spaces as thousands separators."""
    if value is None:
        return "—"
    q = Decimal(value).quantize(Decimal("0.01"))
    whole, _, cents = f"{q:,.2f}".partition(".")
    whole = whole.replace(",", "\u202f")
    return f"{whole},{cents} {currency}".strip()


def _date_text(value: datetime | date | None, tz: str, with_time: bool, with_year: bool) -> str:
    if value is None:
        return "—"
    day = value.astimezone(ZoneInfo(tz)) if isinstance(value, datetime) else value
    text = f"{day.day} {MONTHS_GENITIVE[day.month - 1]}" + (f" {day.year}" if with_year else "")
    if isinstance(day, datetime) and with_time:
        return f"{text} в {day:%H:%M}"
    return text


def human_date(
    value: datetime | date | None, tz: str = "Asia/Yekaterinburg", with_time: bool = True
) -> str:
    """'25 ноября 2026 в 10:00' in the given zone; plain dates have no time part."""
    return _date_text(value, tz, with_time, with_year=True)


def short_date(
    value: datetime | date | None, tz: str = "Asia/Yekaterinburg", with_time: bool = True
) -> str:
    """'25 ноября в 10:00' (no year) in the given zone; plain dates have no time part."""
    return _date_text(value, tz, with_time, with_year=False)


CURRENCY_SIGNS = {"RUB": "₽", "RUR": "₽", "643": "₽", "810": "₽", "USD": "$", "EUR": "€"}
ZONE_NAMES = {
    "Asia/Yekaterinburg": "Екатеринбург",
    "Europe/Moscow": "Москва",
    "Europe/Kaliningrad": "Калининград",
    "Europe/Samara": "Самара",
    "Asia/Omsk": "Омск",
    "Asia/Novosibirsk": "Новосибирск",
    "Asia/Krasnoyarsk": "Красноярск",
    "Asia/Irkutsk": "Иркутск",
    "Asia/Yakutsk": "Якутск",
    "Asia/Vladivostok": "Владивосток",
    "Asia/Magadan": "Магадан",
    "Asia/Kamchatka": "Камчатка",
}


def currency(code: str | None) -> str:
    return CURRENCY_SIGNS.get((code or "RUB").upper(), code or "")


def zone_name(tz: str) -> str:
    return ZONE_NAMES.get(tz, tz)


def number(value: int | float | Decimal) -> str:
    return f"{value:,}".replace(",", "\u202f")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["money"] = money
    env.filters["date"] = human_date
    env.filters["number"] = number
    env.filters["currency"] = currency
    env.filters["zone"] = zone_name
    env.globals["plural"] = plural
    env.filters["until"] = until_words
    env.filters["short_date"] = short_date
    return env


def render(template_name: str, /, **context: Any) -> str:
    """Render `templates/<name>.html.j2`; surrounding whitespace is stripped."""
    template = environment().get_template(f"{template_name}.html.j2")
    return template.render(**context).strip()


def template_names() -> list[str]:
    """Every template, as the name `render` takes (for the rules test)."""
    return sorted(
        str(p.relative_to(TEMPLATES_DIR)).removesuffix(".html.j2")
        for p in TEMPLATES_DIR.rglob("*.html.j2")
    )
