"""The look-ups: `procedure`, `contract`, `stats` and `ask` print what the bot would show.

They never import aiogram (tests/test_cli_imports.py). The in-function imports in `ask` keep
the knowledge base's modules out of the other look-ups' start-up (`benchmarks/cli.py`).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.engine import make_url

from bot.cli.common import fail, settings_or_exit
from bot.cli.database import knowledge_from_db, run_db
from bot.cli.payloads import contract_payload, procedure_payload
from bot.clock import utcnow
from bot.services.errors import BadInput, NotFound
from bot.services.procurement.contracts import find_contract
from bot.services.procurement.procedures import get_procedure
from bot.services.stats.cache import get_stats
from bot.services.stats.period import StatsQuery, make_period, parse_date
from bot.services.stats.regions import parse_region
from bot.ui.cards import contract_text, procedure_text, stats_text
from bot.ui.charts import stats_chart
from bot.ui.console_text import html_to_text
from bot.ui.stats_csv import to_csv

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _load_card(kind: str, number: str, loader: Any) -> Any:
    """Run `loader(session, digits)` on DATABASE_URL; unknown number → exit 1 with a hint."""
    settings = settings_or_exit()
    digits = "".join(ch for ch in number if ch.isdigit()) or number.strip()

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return await loader(session, digits)

    try:
        return run_db(settings, work)
    except NotFound:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        raise fail(
            f"{kind} {number} not found in {where} (check the digits; maybe not imported yet: "
            "`make run` loads the demo data, `smebot import` real files)",
            1,
        ) from None


def procedure(
    number: Annotated[str, typer.Argument(help="Registry number of the notice")],
    as_json: AsJson = False,
) -> None:
    """Show a procedure (notice) by registry number."""
    card = _load_card("procedure", number, lambda s, n: get_procedure(s, n, utcnow()))
    if not as_json:
        zone = settings_or_exit().default_timezone
        typer.echo(html_to_text(procedure_text(card, zone)))
        return
    typer.echo(json.dumps(procedure_payload(card), ensure_ascii=False))


def contract(
    number: Annotated[str, typer.Argument(help="Contract registry number")],
    as_json: AsJson = False,
) -> None:
    """Show a contract by any number it is known by (registry number, a 223-ФЗ record's
    number, the notice number): status, stages, acceptance, payments, termination."""
    card = _load_card("contract", number, lambda s, n: find_contract(s, n, date.today()))  # noqa: DTZ011  (the operator's local date)
    if not as_json:
        typer.echo(html_to_text(contract_text(card)))
        return
    typer.echo(json.dumps(contract_payload(card), ensure_ascii=False))


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
    as_json: AsJson = False,
    png: Annotated[str | None, typer.Option("--png", help="Write the chart to this file")] = None,
    csv_file: Annotated[str | None, typer.Option("--csv", help="Write CSV to this file")] = None,
) -> None:
    """Procurement statistics for a region and a period (by default the current year)."""
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

    result = run_db(settings, work)
    if csv_file:
        Path(csv_file).write_bytes(to_csv(result))
    if png and not result.empty:
        Path(png).write_bytes(stats_chart(result))
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        typer.echo(html_to_text(stats_text(result)))


def ask(
    question: Annotated[str | None, typer.Argument(help="The question")] = None,
    as_json: AsJson = False,
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
    from bot.services.answers import KnowledgeBase
    from bot.ui.answer_text import answer_texts

    if question is None and not stdin:
        raise fail("give a question or --stdin")
    settings = settings_or_exit()
    kb = knowledge_from_db(settings) if from_db else KnowledgeBase.from_dir(settings.knowledge_dir)

    def one(q: str) -> None:
        answer = kb.ask(q)
        text = "\n\n".join(html_to_text(t) for t in answer_texts(answer))
        if as_json:
            typer.echo(json.dumps(_answer_payload(q, answer, text), ensure_ascii=False))
        else:
            typer.echo(text + "\n")

    if stdin:
        for line in sys.stdin:
            if line.strip():
                one(line.rstrip("\n"))
    if question is not None:
        one(question)


def _answer_payload(question: str, answer: Any, text: str) -> dict[str, Any]:
    article = answer.article
    return {
        "question": question,
        "answered": answer.answered,
        "article": (
            {"id": article.id, "title": article.title, "section": article.section}
            if article
            else None
        ),
        "text": text,
        "score": answer.score,
        "alternatives": [
            {"id": a.id, "title": a.title, "score": a.score} for a in answer.alternatives
        ],
    }
