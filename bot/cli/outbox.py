"""`smebot outbox unknown`: the reminders a killed sender left undecided."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from bot.cli.common import settings_or_exit
from bot.cli.database import run_db
from bot.services.reminders.outbox import unknown_rows


def unknown(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """Messages that were in flight when a sender was killed: maybe delivered, never resent."""
    settings = settings_or_exit()

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return await unknown_rows(session)

    rows = run_db(settings, work)
    for row in rows:
        if as_json:
            typer.echo(json.dumps(row.as_dict(), ensure_ascii=False))
        else:
            at = row.claimed_at.isoformat(timespec="seconds") if row.claimed_at else "-"
            typer.echo(f"{row.id}\tuser {row.user_id}\t{row.kind}/{row.event}\tsending since {at}")
    if not as_json:
        typer.echo(f"unknown: {len(rows)}", err=True)
