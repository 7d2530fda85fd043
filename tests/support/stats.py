"""Reading the statistics cells back, for comparing an incremental refresh with a rebuild."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession


async def cells_snapshot(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every statistics cell row without its id, merged per grain (a cell may be split in
    rows differently by a full rebuild and by per-cell refreshes only if something is wrong)."""
    from models import StatContracts, StatCustomers, StatOkpd2, StatProcedures

    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in (StatProcedures, StatOkpd2, StatCustomers, StatContracts):
        columns = [table.region, table.month] + [
            c for c in table.__table__.columns if c.name not in ("id", "region", "month")
        ]
        rows = (await session.execute(select(*columns))).all()
        out[table.__tablename__] = sorted(
            (tuple(str(v) for v in row) for row in rows), key=lambda r: r
        )
    return out
