"""`smebot` command line (Typer): run, chat, db, version."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

import typer

from bot import __version__
from bot.config import ConfigError, Settings, load_settings

app = typer.Typer(
    name="smebot",
    help="smebot — Telegram-бот поддержки МСП в госзакупках (44-ФЗ, 223-ФЗ).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no «<bool>» beside flags
)
db_app = typer.Typer(
    help="Database schema (Alembic migrations).", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(db_app, name="db")

log = logging.getLogger("smebot")
T = TypeVar("T")


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"smebot: {message}", err=True)
    return typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise fail(f"configuration error: {exc}") from None
    from bot.logging_setup import mask_secrets

    mask_secrets(*(s.get_secret_value() for s in (settings.bot_token, settings.eis_token) if s))
    return settings


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
    from bot.db import create_engine
    from bot.roles.migrations import upgrade_locked

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:  # PostgreSQL: under an advisory lock, so two deploy steps at once are safe
            await upgrade_locked(engine, settings.database_url, revision)
        finally:
            await engine.dispose()

    before = _db_revision(settings)
    try:
        asyncio.run(go())
    except OSError as exc:
        raise fail(f"database unreachable: {exc}") from None
    after = _db_revision(settings)
    if before == after:
        typer.echo(f"database already at revision {after}: nothing to migrate")
    else:
        typer.echo(f"migrated the database from revision {before or '(empty)'} to {after}")


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
    from bot.runner import run_polling

    _serve(settings, lambda: run_polling(settings, token))


def _token(settings: Settings) -> str:
    try:
        return settings.require_token()
    except ConfigError as exc:
        raise fail(str(exc)) from None


def _serve(settings: Settings, main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Logging as configured, then the process's main coroutine; a ConfigError is one line."""
    from bot.logging_setup import setup_logging

    setup_logging(settings.log_level, settings.log_format)
    try:
        return asyncio.run(main())
    except ConfigError as exc:
        raise fail(str(exc)) from None


@app.command()
def web(
    set_webhook: Annotated[
        bool, typer.Option("--set-webhook", help="Call setWebhook even if Telegram's matches")
    ] = False,
) -> None:
    """Scaled out: a webhook replica on WEB_HOST:WEB_PORT (also /healthz, /readyz, /metrics).
    Never migrates (run `smebot db upgrade` first) and never sends bulk messages."""
    settings = settings_or_exit()
    token = _token(settings)
    from bot.roles.web import run_web

    _serve(settings, lambda: run_web(settings, token, force_set_webhook=set_webhook))


@app.command()
def worker() -> None:
    """Scaled out: scheduled jobs and bulk sends; one active instance (PostgreSQL advisory
    lock), the others stand by. /healthz, /readyz, /metrics on WORKER_PORT."""
    settings = settings_or_exit()
    token = _token(settings)
    from bot.roles.worker import run_worker

    code = _serve(settings, lambda: run_worker(settings, token))
    if code:
        raise typer.Exit(code)


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


kb_app = typer.Typer(
    help="Knowledge base: check, evaluate, sync, export.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(kb_app, name="kb")


@kb_app.command("check")
def kb_check(
    directory: Annotated[
        str | None, typer.Option("--dir", help="Knowledge directory (default KNOWLEDGE_DIR)")
    ] = None,
) -> None:
    """Validate every article and its citations of 44-ФЗ (against the law's text); print
    `file:line: reason` and exit 1 on problems."""
    from datetime import date
    from pathlib import Path

    from knowledge.citations import split_warnings
    from knowledge.loader import load_directory

    root = Path(directory) if directory else settings_or_exit().knowledge_dir
    if not (root / "articles").is_dir():
        raise fail(f"{root}/articles does not exist")
    articles, found = load_directory(root, today=date.today(), citations=True)  # noqa: DTZ011  (the operator's local date, as documented)
    problems, warnings = split_warnings(found)
    for warning in warnings:
        typer.echo(f"warning: {warning}")
    if warnings:
        typer.echo(
            f"{len(warnings)} citation warning(s): not enforced yet "
            "(knowledge.citations.ENFORCE_CITATIONS = False)",
            err=True,
        )
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {root}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(articles)} articles OK")


@kb_app.command("eval")
def kb_eval(
    questions: Annotated[
        str | None,
        typer.Option(
            help="One labelled question set (YAML); default: tests/eval/dev.yaml and, "
            "reported separately, tests/eval/test.yaml when it exists"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    show_failures: Annotated[bool, typer.Option("--failures", help="List misses")] = False,
    from_db: Annotated[
        bool,
        typer.Option(
            "--db", help="Measure the articles the running bot serves (DATABASE_URL), not files"
        ),
    ] = False,
) -> None:
    """Fact found in the answer, wrong answers, declines and out-of-scope rejection (plus
    top-1/top-3 by article id) on the dev and the blind test set, each on its own."""
    import json
    from pathlib import Path

    from bot.app import build_knowledge
    from bot.services.evaluation import evaluate, load_cases
    from bot.ui.answers import answer_messages
    from bot.ui.console_text import html_to_text

    if questions is not None:
        paths = [Path(questions)]
        if not paths[0].exists():
            raise fail(f"{paths[0]} does not exist")
    else:
        eval_dir = Path("tests/eval")
        paths = [p for p in (eval_dir / "dev.yaml", eval_dir / "test.yaml") if p.exists()]
        if not paths:
            raise fail(f"no question sets in {eval_dir}")
    settings = settings_or_exit()
    kb = _knowledge_from_db(settings) if from_db else build_knowledge(settings)

    def text_of(answer: Any) -> str:
        return "\n\n".join(html_to_text(m.text) for m in answer_messages(answer))

    reports = {p.stem: evaluate(kb, load_cases(p), text_of) for p in paths}
    if as_json:
        typer.echo(json.dumps({k: r.as_dict() for k, r in reports.items()}, ensure_ascii=False))
    else:
        typer.echo("\n".join(r.summary(name) for name, r in reports.items()))
    if show_failures:
        for name, report in reports.items():
            for line in report.failures:
                typer.echo(f"{name}: {line}")


@kb_app.command("sync")
def kb_sync(
    directory: Annotated[
        str | None, typer.Option("--dir", help="Knowledge directory (default KNOWLEDGE_DIR)")
    ] = None,
) -> None:
    """Store the article files in the database as new versions (unchanged files add nothing)."""
    from datetime import datetime
    from pathlib import Path

    from bot.services.kb_store.files import sync_from_dir
    from bot.services.kb_store.versions import ArticlesRejected

    settings = settings_or_exit()
    root = Path(directory) if directory else settings.knowledge_dir
    if not (root / "articles").is_dir():
        raise fail(f"{root}/articles does not exist")

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            # local time: the `updated` check uses the same "today" as `smebot kb check`
            return await sync_from_dir(session, root, now=datetime.now().astimezone())

    try:
        summary = _run_db(settings, work)
    except ArticlesRejected as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        typer.echo(f"{len(exc.problems)} problem(s) in {root}; nothing stored", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{summary.added} added, {summary.unchanged} unchanged, {len(summary.deleted)} deleted"
    )


@kb_app.command("export")
def kb_export(
    directory: Annotated[str, typer.Argument(help="Where to write articles/<section>/<id>.md")],
) -> None:
    """Write the current version of every article from the database to DIR/articles."""
    from pathlib import Path

    from bot.services.kb_store.files import export_to_dir

    settings = settings_or_exit()
    root = Path(directory)

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return await export_to_dir(session, root)

    count = _run_db(settings, work)
    typer.echo(f"{count} articles written to {root / 'articles'}")


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    stdin: Annotated[
        bool, typer.Option("--stdin", help="One question per line from stdin")
    ] = False,
    from_db: Annotated[
        bool,
        typer.Option(
            "--db", help="Use the articles the running bot serves (DATABASE_URL), not knowledge/"
        ),
    ] = False,
) -> None:
    """Ask the knowledge base as the bot would answer."""
    import json

    from bot.services.answers import KnowledgeBase
    from bot.ui.answer_text import answer_texts
    from bot.ui.console_text import html_to_text

    if question is None and not stdin:
        raise fail("give a question or --stdin")
    settings = settings_or_exit()
    kb = _knowledge_from_db(settings) if from_db else KnowledgeBase.from_dir(settings.knowledge_dir)

    def one(q: str) -> None:
        answer = kb.ask(q)
        text = "\n\n".join(html_to_text(t) for t in answer_texts(answer))
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


def _knowledge_from_db(settings: Settings) -> Any:
    """The articles as published in the database (consultants' edits included)."""
    from bot.services.answers import KnowledgeBase
    from bot.services.kb_store.files import load_articles_from_db
    from knowledge.glossary import Glossary

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return await load_articles_from_db(session)

    articles = _run_db(settings, work)
    if not articles:
        raise fail("the database has no articles yet: start the bot once or run `smebot kb sync`")
    return KnowledgeBase(articles, Glossary.load(settings.knowledge_dir / "glossary.yaml"))


def _db_revision(settings: Settings) -> str | None:
    """The database's migration revision (None: empty or unreachable)."""
    from bot.db import create_engine, current_revision

    async def go() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except OSError:
        return None


class _Unreachable(Exception):
    """The database could not be connected to (reported in one line, no trace)."""


def _announce_stats(settings: Settings) -> None:
    """Running web replicas drop their statistics cache (PostgreSQL; nothing on SQLite)."""
    from bot.roles.notify import STATS, announce

    asyncio.run(announce(settings.database_url, STATS))


def _run_db(settings: Settings, work: Any) -> Any:
    """Migrate DATABASE_URL, then run `work(sessionmaker)` and dispose of the engine. A
    database that cannot be reached ends the command with one line and exit code 2."""
    from bot.db import create_engine, create_sessionmaker, upgrade

    async def go() -> Any:
        try:
            engine = create_engine(settings.database_url)
        except OSError as exc:  # SQLite: the file's directory cannot be created
            raise _Unreachable(" ".join(str(exc).split())[:200]) from None
        try:
            try:
                async with engine.connect():
                    pass
            except Exception as exc:
                raise _Unreachable(" ".join(str(exc).split())[:200]) from None
            await upgrade(engine)
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except _Unreachable as exc:
        raise fail(f"database unreachable: {exc}") from None


@app.command("import")
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
    import json
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from bot.clock import utcnow
    from bot.services.importer.batches import import_files
    from bot.sources.files import walk, zip_members
    from bot.sources.parallel import parse_paths

    settings = settings_or_exit()
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise fail(f"not found: {', '.join(missing)}")

    def parsed() -> Any:
        return parse_paths([Path(p) for p in paths], workers)

    def expected_files() -> int:
        """Files an archive or a directory will yield, for the progress bar's total."""
        return sum(
            zip_members(item) if item.suffix.lower() == ".zip" else 1
            for path in paths
            for item in walk(Path(path))
            if isinstance(item, Path)
        )

    async def work(sessionmaker: Any) -> Any:
        columns = (
            TextColumn("Импорт"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[file]}"),
        )
        with Progress(*columns, transient=True, disable=as_json) as progress:
            task = progress.add_task("import", total=expected_files() or None, file="")

            def on_file(parsed_file: Any) -> None:
                progress.update(task, advance=1, file=Path(parsed_file.file).name)

            return await import_files(sessionmaker, parsed(), now=utcnow, on_file=on_file)

    summary = _run_db(settings, work)
    _announce_stats(settings)
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


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def _load_card(kind: str, number: str, loader: Any) -> Any:
    """Run `loader(session, digits)` on DATABASE_URL; unknown number → exit 1 with a hint."""
    from bot.services.errors import NotFound

    settings = settings_or_exit()
    digits = "".join(ch for ch in number if ch.isdigit()) or number.strip()

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return await loader(session, digits)

    try:
        return _run_db(settings, work)
    except NotFound:
        from sqlalchemy.engine import make_url

        where = make_url(settings.database_url).render_as_string(hide_password=True)
        raise fail(
            f"{kind} {number} not found in {where} (check the digits; maybe not imported yet: "
            "`make run` loads the demo data, `smebot import` real files)",
            1,
        ) from None


@app.command()
def procedure(
    number: Annotated[str, typer.Argument(help="Registry number of the notice")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show a procedure (notice) by registry number."""
    import json

    from bot.clock import utcnow
    from bot.services.procurement import get_procedure
    from bot.ui.cards import procedure_text
    from bot.ui.console_text import html_to_text

    card = _load_card("procedure", number, lambda s, n: get_procedure(s, n, utcnow()))
    if not as_json:
        zone = settings_or_exit().default_timezone
        typer.echo(html_to_text(procedure_text(card, zone)))
        return
    payload = {
        "number": card.number,
        "law": card.law,
        "method": card.method,
        "title": card.title,
        "customer": {
            "name": card.customer_name,
            "inn": card.customer_inn,
            "kpp": card.customer_kpp,
        },
        "region": card.region,
        "max_price": str(card.max_price) if card.max_price is not None else None,
        "currency": card.currency,
        "published_at": _iso(card.published_at),
        "applications_end": _iso(card.applications_end),
        "auction_at": _iso(card.auction_at),
        "summarizing_at": _iso(card.summarizing_at),
        "platform": {"name": card.platform_name, "url": card.platform_url},
        "smp_only": card.smp_only,
        "status": card.status,
        "url": card.url,
    }
    typer.echo(json.dumps(payload, ensure_ascii=False))


@app.command()
def contract(
    number: Annotated[str, typer.Argument(help="Contract registry number")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show a contract by any number it is known by (registry number, a 223-ФЗ record's
    number, the notice number): status, stages, acceptance, payments, termination."""
    import json
    from datetime import date

    from bot.services.procurement import ContractList, find_contract
    from bot.ui.cards import contract_text
    from bot.ui.console_text import html_to_text

    card = _load_card("contract", number, lambda s, n: find_contract(s, n, date.today()))  # noqa: DTZ011  (the operator's local date)
    if not as_json:
        typer.echo(html_to_text(contract_text(card)))
        return

    def money(value: Any) -> Any:
        return str(value) if value is not None else None

    if isinstance(card, ContractList):
        listed = [
            {
                "number": c.number,
                "status": c.status_words,
                "supplier": c.supplier_name,
                "price": money(c.price),
                "currency": c.currency,
                "signed_on": _iso(c.signed_on),
            }
            for c in card.items
        ]
        typer.echo(
            json.dumps(
                {"procedure_number": card.procedure_number, "contracts": listed},
                ensure_ascii=False,
            )
        )
        return
    payload = {
        "complete": card.complete,
        "number": card.number,
        "procedure_number": card.procedure_number,
        "status_code": card.status_code,
        "status": card.status_words,
        "price": money(card.price),
        "currency": card.currency,
        "customer": {"name": card.customer_name, "inn": card.customer_inn},
        "supplier": {
            "name": card.supplier_name,
            "inn": card.supplier_inn,
            "is_smp": card.supplier_is_smp,
        },
        "signed_on": _iso(card.signed_on),
        "execution_end": _iso(card.execution_end),
        "stages": [
            {
                "number": s.number,
                "start": _iso(s.start),
                "end": _iso(s.end),
                "amount": money(s.amount),
            }
            for s in card.stages
        ],
        "payments": [{"date": _iso(p.on), "amount": money(p.amount)} for p in card.payments],
        "payment_due": _iso(card.payment_due),
        "payment_due_preliminary": card.payment_due_preliminary,
        "terminated_on": _iso(card.terminated_on),
        "termination_reason": card.termination_reason,
    }
    typer.echo(json.dumps(payload, ensure_ascii=False))


@app.command("demo-data")
def demo_data(
    count: Annotated[int, typer.Option(min=1, max=1_000_000, help="Number of notices")] = 300,
    region: Annotated[str, typer.Option(help="Two-digit region code")] = "74",
    directory: Annotated[str, typer.Option("--dir", help="Where to write the XML")] = "data/demo",
    seed: Annotated[int, typer.Option(help="Random seed")] = 2026,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary")] = False,
) -> None:
    """Write realistic EIS-format XML for a region and import it through the importer."""
    import json
    import re
    from pathlib import Path

    from bot.clock import utcnow
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

    summary = _run_db(settings, work)
    _announce_stats(settings)
    if as_json:
        typer.echo(json.dumps({"written": written, **summary.as_dict()}, ensure_ascii=False))
    else:
        typer.echo(
            f"wrote {written} files to {target}; imported {summary.procedures} procedures and "
            f"{summary.contracts} contract documents ({summary.skipped} unchanged, "
            f"{len(summary.errors)} errors)"
        )


@app.command()
def stats(
    region: Annotated[
        str | None,
        typer.Option("--region", help="Two-digit region code, or 'all' (default DEFAULT_REGION)"),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day: 2026-01-01 (default 1 January)")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day: 2026-12-31 (default 31 December)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    png: Annotated[str | None, typer.Option("--png", help="Write the chart to this file")] = None,
    csv_file: Annotated[str | None, typer.Option("--csv", help="Write CSV to this file")] = None,
) -> None:
    """Procurement statistics for a region and a period (by default the current year)."""
    import json
    from pathlib import Path

    from bot.clock import utcnow
    from bot.services.errors import BadInput
    from bot.services.stats.cache import get_stats
    from bot.services.stats.period import StatsQuery, make_period, parse_date
    from bot.services.stats.regions import parse_region
    from bot.ui.cards import stats_text
    from bot.ui.console_text import html_to_text
    from bot.ui.stats_csv import to_csv

    settings = settings_or_exit()
    now = utcnow()
    today = now.date()
    try:
        code = parse_region(region, settings.default_region)
        if date_from is None and date_to is None:
            period = make_period("year", today)
        else:
            year = make_period("year", today)
            start = parse_date(date_from) if date_from else year.start
            end = parse_date(date_to, end=True) if date_to else year.end
            period = make_period("custom", today, start, end)
    except BadInput as exc:
        raise fail(exc.detail) from None

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return await get_stats(session, StatsQuery(code, period), now)

    result = _run_db(settings, work)
    if csv_file:
        Path(csv_file).write_bytes(to_csv(result))
    if png and not result.empty:
        from bot.ui.charts import stats_chart

        Path(png).write_bytes(stats_chart(result))
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        typer.echo(html_to_text(stats_text(result)))


outbox_app = typer.Typer(help="The reminders outbox.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(outbox_app, name="outbox")


@outbox_app.command("unknown")
def outbox_unknown(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """Messages that were in flight when a sender was killed: maybe delivered, never resent."""
    import json

    from bot.services.reminders.outbox import unknown_rows

    settings = settings_or_exit()

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return await unknown_rows(session)

    rows = _run_db(settings, work)
    for row in rows:
        if as_json:
            typer.echo(json.dumps(row.as_dict(), ensure_ascii=False))
        else:
            at = row.claimed_at.isoformat(timespec="seconds") if row.claimed_at else "-"
            typer.echo(f"{row.id}\tuser {row.user_id}\t{row.kind}/{row.event}\tsending since {at}")
    if not as_json:
        typer.echo(f"unknown: {len(rows)}", err=True)
