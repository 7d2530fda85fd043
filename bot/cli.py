"""`smebot` command line (Typer): run, chat, db, version."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Annotated

import typer

from bot import __version__
from bot.config import ConfigError, Settings, load_settings

app = typer.Typer(
    name="smebot",
    help="smebot — Telegram-бот поддержки МСП в госзакупках (44-ФЗ, 223-ФЗ).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")

log = logging.getLogger("smebot")


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"smebot: {message}", err=True)
    return typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise fail(f"configuration error: {exc}") from None


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"smebot {__version__}")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Apply migrations to DATABASE_URL."""
    settings = settings_or_exit()
    from bot.db import create_engine, upgrade

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    try:
        asyncio.run(go())
    except OSError as exc:
        raise fail(f"database unreachable: {exc}") from None
    typer.echo(f"database is at revision {revision}")


@app.command()
def run(
    chat_without_token: Annotated[
        bool,
        typer.Option(
            "--chat-without-token",
            help="With no BOT_TOKEN configured, start the console chat instead of failing.",
        ),
    ] = False,
) -> None:
    """Run the bot: long polling against BOT_API_URL until SIGINT/SIGTERM."""
    settings = settings_or_exit()
    try:
        token = settings.require_token()
    except ConfigError as exc:
        if chat_without_token and settings.bot_token is None:
            typer.echo(f"{exc}\nStarting the console chat instead.\n", err=True)
            chat()
            return
        raise fail(str(exc)) from None
    from bot.logging_setup import setup_logging
    from bot.runner import run_polling

    setup_logging(settings.log_level)
    try:
        asyncio.run(run_polling(settings, token))
    except ConfigError as exc:
        raise fail(str(exc)) from None


@app.command()
def chat() -> None:
    """Talk to the bot in the console: no token, no network; numbers press buttons."""
    settings = settings_or_exit()
    from bot.logging_setup import setup_logging
    from bot.runner import run_console_chat

    setup_logging("WARNING" if settings.log_level != "DEBUG" else "DEBUG")

    def read_line() -> str | None:
        line = sys.stdin.readline()
        return line if line else None

    asyncio.run(run_console_chat(settings, read_line, sys.stdout))


kb_app = typer.Typer(help="Knowledge base: check, evaluate.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


@kb_app.command("check")
def kb_check(
    directory: Annotated[
        str | None, typer.Option("--dir", help="Knowledge directory (default KNOWLEDGE_DIR)")
    ] = None,
) -> None:
    """Validate every article; print `file:line: reason` and exit 1 on problems."""
    from datetime import date
    from pathlib import Path

    from knowledge.loader import load_directory

    root = Path(directory) if directory else settings_or_exit().knowledge_dir
    if not (root / "articles").is_dir():
        raise fail(f"{root}/articles does not exist")
    articles, problems = load_directory(root, today=date.today())
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {root}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(articles)} articles OK")


@kb_app.command("eval")
def kb_eval(
    questions: Annotated[
        str, typer.Option(help="Labelled questions (YAML)")
    ] = "tests/eval/questions.yaml",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    show_failures: Annotated[bool, typer.Option("--failures", help="List misses")] = False,
) -> None:
    """Measure top-1, top-3 and out-of-scope rejection on a labelled question set."""
    import json
    from pathlib import Path

    from bot.app import build_knowledge
    from bot.services.evaluation import evaluate, load_cases

    path = Path(questions)
    if not path.exists():
        raise fail(f"{path} does not exist")
    report = evaluate(build_knowledge(settings_or_exit()), load_cases(path))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        typer.echo(
            f"questions: {report.in_scope} in scope, {report.out_of_scope} out of scope\n"
            f"top-1: {report.top1_rate:.1%}   top-3: {report.top3_rate:.1%}   "
            f"out of scope declined: {report.decline_rate:.1%}\n"
            f"answered outright: {report.answered_correctly} correct, "
            f"{report.answered_wrongly} wrong"
        )
    if show_failures:
        for line in report.failures:
            typer.echo(line)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    stdin: Annotated[
        bool, typer.Option("--stdin", help="One question per line from stdin")
    ] = False,
) -> None:
    """Ask the knowledge base as the bot would answer."""
    import json

    from bot.app import build_knowledge
    from bot.ui.answers import answer_messages
    from bot.ui.console_text import html_to_text

    if question is None and not stdin:
        raise fail("give a question or --stdin")
    kb = build_knowledge(settings_or_exit())

    def one(q: str) -> None:
        answer = kb.ask(q)
        text = "\n\n".join(html_to_text(m.text) for m in answer_messages(answer))
        if as_json:
            payload = {
                "question": q,
                "answered": answer.answered,
                "article": (
                    {
                        "id": answer.article.id,
                        "title": answer.article.title,
                        "section": answer.article.section,
                    }
                    if answer.article
                    else None
                ),
                "text": text,
                "score": answer.score,
                "alternatives": [
                    {"id": a.id, "title": a.title, "score": a.score} for a in answer.alternatives
                ],
            }
            typer.echo(json.dumps(payload, ensure_ascii=False))
        else:
            typer.echo(text + "\n")

    if stdin:
        for line in sys.stdin:
            if line.strip():
                one(line.rstrip("\n"))
    if question is not None:
        one(question)
