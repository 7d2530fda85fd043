"""Procurement statistics: periods and bad input, the cache, the chart, the CSV, JSON and the CLI."""

from __future__ import annotations

import csv
import io
import json
import struct
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.errors import BadInput
from bot.services.stats import cache as stats_cache
from bot.services.stats.cache import clear_cache, get_stats
from bot.services.stats.compute import compute_stats
from bot.services.stats.period import Period, StatsQuery, make_period, parse_date
from bot.ui.charts import short_money, stats_chart, trend
from bot.ui.stats_csv import to_csv
from tests.support.demo import NOW, load_demo

TODAY = NOW.date()
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31), "year")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def test_periods() -> None:
    assert make_period("month", date(2026, 2, 10)) == Period(
        date(2026, 2, 1), date(2026, 2, 28), "month"
    )
    assert make_period("quarter", date(2026, 11, 24)) == Period(
        date(2026, 10, 1), date(2026, 12, 31), "quarter"
    )
    assert make_period("year", date(2026, 11, 24)).months()[0] == "2026-01"
    assert parse_date("01.03.2026") == date(2026, 3, 1)
    assert parse_date("2026-02", end=True) == date(2026, 2, 28)
    assert parse_date("2025", end=True) == date(2025, 12, 31)
    for bad in ("завтра", "2026-13-01", "31.02.2026", ""):
        with pytest.raises(BadInput):
            parse_date(bad)
    with pytest.raises(BadInput, match="позже"):
        make_period("custom", TODAY, date(2026, 5, 1), date(2026, 1, 1))
    with pytest.raises(BadInput):
        make_period("custom", TODAY, date(1990, 1, 1), date(1990, 12, 31))
    with pytest.raises(BadInput):
        make_period("custom", TODAY, date(2030, 1, 1), date(2030, 2, 1))
    # Any period the data can cover (issue 17): 2011 up to the end of next year.
    fifteen = make_period("custom", TODAY, date(2011, 1, 1), date(2026, 1, 1))
    assert len(fifteen.months()) == 181
    make_period("custom", TODAY, date(2011, 1, 1), date(TODAY.year + 1, 12, 31))
    with pytest.raises(BadInput, match="раньше 2011"):
        make_period("custom", TODAY, date(2010, 12, 1), date(2026, 1, 1))
    with pytest.raises(BadInput, match=str(TODAY.year + 1)):
        make_period("custom", TODAY, date(2026, 1, 1), date(TODAY.year + 2, 1, 1))
    with pytest.raises(BadInput):
        make_period("custom", TODAY, None, date(2026, 1, 1))
    with pytest.raises(BadInput):
        make_period("week", TODAY)


async def test_cache_and_invalidation_after_import(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await load_demo(sessionmaker, tmp_path, count=30)
    calls = 0
    real = compute_stats

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return await real(*args, **kwargs)

    monkeypatch.setattr(stats_cache, "compute_stats", counting)
    query = StatsQuery("74", YEAR)
    first = await get_stats(session, query, NOW)
    again = await get_stats(session, query, NOW)
    assert again is first and calls == 1
    await get_stats(session, StatsQuery(None, YEAR), NOW)
    assert calls == 2
    # an import (even of nothing new) drops the cache
    from bot.services.importer.batches import import_files

    await import_files(sessionmaker, [], now=lambda: NOW)
    await get_stats(session, query, NOW)
    assert calls == 3


async def test_csv_chart_and_json(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=60)
    stats = await get_stats(session, StatsQuery("74", YEAR), NOW)
    data = to_csv(stats)
    assert data.startswith(b"\xef\xbb\xbf")  # Russian Excel: UTF-8 with BOM, «;», «,»
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [  # a Russian Excel user reads Russian column headers
        "Раздел",
        "Ключ",
        "Название",
        "Количество",
        "Сумма, ₽",
        "Доля по количеству",
        "Доля по сумме",
    ]
    assert rows[1][0] == "query" and rows[1][-1] == ""  # the period is not a share
    assert rows[2][:3] == ["period", "2026-01-01", "2026-12-31"]
    money_cells = [r[4] for r in rows[3:] if r[4]]
    assert money_cells and all("." not in v for v in money_cells)
    assert any("," in v for v in money_cells)
    assert all(len(r) == 7 for r in rows if r[0] != "period")
    sections = {r[0] for r in rows[1:]}
    assert {"procedures", "law", "platform", "contracts", "month_procedures"} <= sections
    assert any(r[:2] == ["procedures", "all"] and r[3] == str(stats.procedures.count) for r in rows)
    png = stats_chart(stats)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert 600 <= width <= 1280 and height <= 1600
    payload = json.loads(json.dumps(stats.as_dict()))
    assert payload["region"] == "74" and payload["from"] == "2026-01-01"
    assert Decimal(payload["procedures"]["total_max_price"]) == stats.procedures.total_max_price
    assert {"platform", "count", "total", "share"} <= set(payload["by_platform"][0])


async def test_fifteen_years_chart_is_yearly(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=60)
    long = make_period("custom", TODAY, date(2011, 1, 1), date(2026, 12, 31))
    stats = await get_stats(session, StatsQuery("74", long), NOW)
    yearly = await get_stats(session, StatsQuery("74", YEAR), NOW)
    assert stats.procedures.count == yearly.procedures.count > 0  # the demo data is in 2026
    bars = trend(stats)
    assert bars.by_year and bars.labels == tuple(str(y) for y in range(2011, 2027))
    assert bars.procedures_total[-1] == float(yearly.procedures.total_max_price)
    assert sum(bars.procedures_total[:-1]) == 0
    three = make_period("custom", TODAY, date(2024, 1, 1), date(2026, 12, 31))
    assert not trend(await get_stats(session, StatsQuery("74", three), NOW)).by_year
    png = stats_chart(stats)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_short_money() -> None:
    assert short_money(Decimal("1234567.89")) == "1,2 млн ₽"
    assert short_money(Decimal("2500000000")) == "2,5 млрд ₽"
    assert short_money(Decimal("12345")) == "12\u202f345 ₽"
    assert short_money(Decimal("1234567890123")) == "1\u202f234,6 млрд ₽"


def test_cli_stats(tmp_path: Path, db_url: str) -> None:
    """`smebot stats` on a demo database: JSON, PNG and CSV files, bad input."""
    from tests.support.cli import Ran, smebot, smebot_process

    if "postgresql" in db_url:
        pytest.skip("the CLI test uses its own SQLite file")
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"

    def run(*args: str) -> Ran:
        return smebot(tmp_path, *args, DATABASE_URL=url)

    made = run("demo-data", "--count", "40", "--dir", str(tmp_path / "demo"), "--json")
    assert made.returncode == 0, made.stderr
    png, csv_file = tmp_path / "s.png", tmp_path / "s.csv"
    today = datetime.now(UTC).date()  # the CLI's today (utcnow)
    result = smebot_process(  # smoke: stats (the chart and the CSV written by a real process)
        tmp_path,
        "stats",
        "--region",
        "74",
        "--from",
        (today - timedelta(days=90)).isoformat(),
        "--to",
        today.isoformat(),
        "--json",
        "--png",
        str(png),
        "--csv",
        str(csv_file),
        DATABASE_URL=url,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["region"] == "74" and payload["procedures"]["count"] == 40
    assert set(payload) >= {"region", "from", "to", "procedures", "by_law", "by_platform"}
    assert set(payload) >= {"contracts", "monthly"}
    assert Decimal(payload["contracts"]["total_price"]) > 0
    assert png.read_bytes()[:4] == b"\x89PNG" and csv_file.read_bytes()[:3] == b"\xef\xbb\xbf"
    text = run("stats", "--region", "all", "--from", (today - timedelta(days=90)).isoformat())
    assert text.returncode == 0 and "Процедур" in text.stdout
    bad = run("stats", "--region", "00")
    assert bad.returncode != 0 and "регион" in bad.stderr.lower()
    reversed_ = run("stats", "--from", "2026-05-01", "--to", "2026-01-01")
    assert reversed_.returncode != 0 and "позже" in reversed_.stderr
    empty = run("stats", "--region", "66", "--png", str(tmp_path / "none.png"))
    assert empty.returncode == 0 and "нет данных" in empty.stdout.lower()
    assert not (tmp_path / "none.png").exists()
