"""Data in the database: `db upgrade` (migrations), `import` (EIS XML, OCDS JSON) and
`demo-data` (generated EIS XML, imported).

The in-function imports keep the parsers, the importer and rich's progress bar out of the
look-up commands' start-up (`benchmarks/cli.py`); none of them imports aiogram.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.common import fail, settings_or_exit
from bot.cli.database import announce_stats, db_revision, run_db
from bot.clock import utcnow
from bot.db import create_engine
from bot.roles.migrations import upgrade_locked


def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Apply migrations to DATABASE_URL."""
    settings = settings_or_exit()

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:  # PostgreSQL: under an advisory lock, so two deploy steps at once are safe
            await upgrade_locked(engine, settings.database_url, revision)
        finally:
            await engine.dispose()

    before = db_revision(settings)
    try:
        asyncio.run(go())
    except OSError as exc:
        raise fail(f"database unreachable: {exc}") from None
    after = db_revision(settings)
    if before == after:
        typer.echo(f"database already at revision {after}: nothing to migrate")
    else:
        typer.echo(f"migrated the database from revision {before or '(empty)'} to {after}")


def _expected_files(paths: list[str]) -> int:
    """Files an archive or a directory will yield, for the progress bar's total."""
    from bot.sources.files import walk, zip_members

    return sum(
        zip_members(item) if item.suffix.lower() == ".zip" else 1
        for path in paths
        for item in walk(Path(path))
        if isinstance(item, Path)
    )


def import_(
    paths: Annotated[list[str], typer.Argument(help="Files, directories or zip archives")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            help="Parser processes (default: one per core; 0 parses in this process)",
        ),
    ] = None,
) -> None:
    """Import EIS XML (44-ФЗ, 223-ФЗ) and OCDS JSON into the database."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from bot.services.importer.batches import import_files
    from bot.sources.parallel import parse_paths

    settings = settings_or_exit()
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise fail(f"not found: {', '.join(missing)}")

    async def work(sessionmaker: Any) -> Any:
        columns = (
            TextColumn("Импорт"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[file]}"),
        )
        with Progress(*columns, transient=True, disable=as_json) as progress:
            task = progress.add_task("import", total=_expected_files(paths) or None, file="")

            def on_file(parsed_file: Any) -> None:
                progress.update(task, advance=1, file=Path(parsed_file.file).name)

            parsed = parse_paths([Path(p) for p in paths], workers)
            return await import_files(sessionmaker, parsed, now=utcnow, on_file=on_file)

    summary = run_db(settings, work)
    announce_stats(settings)
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        typer.echo(
            f"files: {summary.files}, documents: {summary.documents}, procedures: "
            f"{summary.procedures}, contracts: {summary.contracts}, unchanged: {summary.skipped}, "
            f"errors: {len(summary.errors)}"
        )
        for error in summary.errors[:50]:
            doc = f" [{error.document}]" if error.document else ""
            typer.echo(f"  {error.file}{doc}: {error.reason}", err=True)
    if summary.errors:  # a script must see that something was refused
        raise typer.Exit(1)


def demo_data(
    count: Annotated[int, typer.Option(min=1, max=1_000_000, help="Number of notices")] = 300,
    region: Annotated[str, typer.Option(help="Two-digit region code")] = "74",
    directory: Annotated[str, typer.Option("--dir", help="Where to write the XML")] = "data/demo",
    seed: Annotated[int, typer.Option(help="Random seed")] = 2026,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary")] = False,
) -> None:
    """Write realistic EIS-format XML for a region and import it through the importer."""
    from bot.services.importer.batches import import_files
    from bot.sources.demo import write_demo
    from bot.sources.files import parse_path

    if not re.fullmatch(r"\d{2}", region):
        raise fail("region must be a two-digit code such as 74")
    settings = settings_or_exit()
    target = Path(directory)
    written = write_demo(target, count, region=region, seed=seed, now=utcnow())

    async def work(sessionmaker: Any) -> Any:
        return await import_files(sessionmaker, parse_path(target), now=utcnow)

    summary = run_db(settings, work)
    announce_stats(settings)
    if as_json:
        typer.echo(json.dumps({"written": written, **summary.as_dict()}, ensure_ascii=False))
    else:
        typer.echo(
            f"wrote {written} files to {target}; imported {summary.procedures} procedures and "
            f"{summary.contracts} contract documents ({summary.skipped} unchanged, "
            f"{len(summary.errors)} errors)"
        )
