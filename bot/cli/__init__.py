"""`smebot` command line (Typer): this module builds `app` (the `smebot` entry point) from the
command groups — `serve` (run, web, worker, chat), `lookup` (procedure, contract, stats, ask),
`data` (db upgrade, import, demo-data), `kb` (kb …) and `outbox` (outbox unknown).

Every command module is imported to build the app, so none of them imports aiogram at module
level: the look-ups never load it (tests/test_cli_imports.py).
"""

from __future__ import annotations

import typer

from bot import __version__
from bot.cli import data, kb, lookup, outbox, serve

app = typer.Typer(
    name="smebot",
    help="smebot — Telegram-бот поддержки МСП в госзакупках (44-ФЗ, 223-ФЗ).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no «<bool>» beside flags
)


def _group(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"smebot {__version__}")


app.command()(serve.run)
app.command()(serve.web)
app.command()(serve.worker)
app.command()(serve.chat)
app.command()(lookup.ask)
app.command("import")(data.import_)
app.command()(lookup.procedure)
app.command()(lookup.contract)
app.command("demo-data")(data.demo_data)
app.command()(lookup.stats)

db_app = _group("Database schema (Alembic migrations).")
db_app.command("upgrade")(data.db_upgrade)
app.add_typer(db_app, name="db")

kb_app = _group("Knowledge base: check, figures, evaluate, sync, export.")
kb_app.command("check")(kb.check)
kb_app.command("figures")(kb.figures)
kb_app.command("eval")(kb.evaluate_answers)
kb_app.command("sync")(kb.sync)
kb_app.command("export")(kb.export)
app.add_typer(kb_app, name="kb")

outbox_app = _group("The reminders outbox.")
outbox_app.command("unknown")(outbox.unknown)
app.add_typer(outbox_app, name="outbox")
