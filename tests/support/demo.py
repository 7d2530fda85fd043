"""The seeded demo data: imported into the test database (region 74, seed 7) at a fixed now,
or handed out by a fake EIS source; counting the procedures imported."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.importer.batches import import_files
from bot.sources.demo import write_demo
from bot.sources.files import parse_path
from models import Procedure

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


async def load_demo(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path, count: int = 80
) -> Path:
    directory = tmp_path / "demo"
    write_demo(directory, count, region="74", seed=7, now=NOW)
    summary = await import_files(sessionmaker, parse_path(directory), now=clock)
    assert summary.errors == []
    assert summary.procedures == count
    return directory


class FakeEis:
    """A Source that hands out demo files, as the EIS client hands out downloads."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.days: list[tuple[str, date]] = []
        self.numbers: list[str] = []
        self.fail = False

    async def fetch_day(self, region: str, day: date) -> list[Path]:
        self.days.append((region, day))
        target = self.root / f"{region}-{day}"
        write_demo(target, 5, region=region, seed=day.toordinal(), now=NOW)
        return sorted(target.iterdir())

    async def fetch_number(self, number: str) -> list[Path]:
        self.numbers.append(number)
        if self.fail:
            raise OSError("EIS unreachable")
        target = self.root / "one"
        write_demo(target, 1, seed=99, now=NOW)
        notice = next(target.glob("epNotification*.xml"))
        original = notice.name.split("_")[1]
        notice.write_text(
            notice.read_text(encoding="utf-8").replace(original, number), encoding="utf-8"
        )
        return [notice]


async def count(session: AsyncSession) -> int:
    await session.commit()  # end the read snapshot so the next count sees new rows
    return int((await session.execute(select(func.count()).select_from(Procedure))).scalar_one())
