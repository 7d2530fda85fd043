"""`smebot kb …`: check the article files, evaluate the answers, sync files to the database,
export them back.

The in-function imports keep aiogram (`kb eval` builds the bot's knowledge base and answer
messages) and the knowledge base's heavier modules out of the look-up commands' start-up;
`kb check` itself never imports aiogram (tests/test_cli_imports.py).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.common import fail, settings_or_exit
from bot.cli.database import knowledge_from_db, run_db
from bot.ui.console_text import html_to_text

KnowledgeDir = Annotated[
    str | None, typer.Option("--dir", help="Knowledge directory (default KNOWLEDGE_DIR)")
]


def check(directory: KnowledgeDir = None) -> None:
    """Validate every article and its citations of 44-ФЗ (against the law's text); print
    `file:line: reason` and exit 1 on problems."""
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
    _figure_warnings(root)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {root}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(articles)} articles OK")


def _figure_warnings(root: Path) -> None:
    """The figure check as warnings (a reviewer's aid: see knowledge.figures)."""
    from knowledge.figures import check_directory

    report = check_directory(root / "articles")
    for problem in report.problems:
        typer.echo(f"warning: {problem}")
    if report.problems:
        typer.echo(
            f"{len(report.problems)} figure(s) of {report.checked} not found in the 44-ФЗ text "
            "they cite (smebot kb figures)",
            err=True,
        )


def figures(
    directory: KnowledgeDir = None,
    unchecked: Annotated[
        bool, typer.Option("--unchecked", help="Also list the figures that cite no 44-ФЗ unit")
    ] = False,
) -> None:
    """Check every figure an article states beside a 44-ФЗ citation («7 рабочих дней», «5 %»,
    «600 тыс. руб.») against the text of the cited part; print `file:line: reason`, exit 1
    when one does not match."""
    from knowledge.figures import check_directory

    root = Path(directory) if directory else settings_or_exit().knowledge_dir
    if not (root / "articles").is_dir():
        raise fail(f"{root}/articles does not exist")
    report = check_directory(root / "articles")
    for problem in report.problems:
        typer.echo(str(problem))
    if unchecked:
        for item in report.unchecked:
            typer.echo(f"{item.path}:{item.line}: unchecked «{item.figure}» (no 44-ФЗ unit cited)")
    typer.echo(
        f"{report.checked} figure(s) checked against the text of 44-ФЗ, "
        f"{len(report.problems)} not found; {len(report.unchecked)} cite no 44-ФЗ unit "
        "(another law, a decree or no citation in their sentence)"
    )
    if report.problems:
        raise typer.Exit(1)


def _question_sets(questions: str | None) -> list[Path]:
    if questions is not None:
        paths = [Path(questions)]
        if not paths[0].exists():
            raise fail(f"{paths[0]} does not exist")
        return paths
    eval_dir = Path("tests/eval")
    # tuning; blind; blind sets written on 2026-12-01 (fresh2 after that day's tuning, fresh3
    # after the article classifier was chosen, fresh4 after the off-topic class, fresh5 after
    # the gap fills)
    names = ("dev.yaml", "test.yaml", *(f"fresh{n}.yaml" for n in ("", 2, 3, 4, 5)))
    paths = [eval_dir / n for n in names if (eval_dir / n).exists()]
    if not paths:
        raise fail(f"no question sets in {eval_dir}")
    return paths


def evaluate_answers(
    questions: Annotated[
        str | None,
        typer.Option(
            help="One labelled question set (YAML); default: tests/eval/dev.yaml and, "
            "reported separately, the blind tests/eval/test.yaml and fresh.yaml to fresh5.yaml "
            "when they exist"
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
    from bot.app import build_knowledge
    from bot.services.evaluation import evaluate, load_cases
    from bot.ui.answers import answer_messages

    paths = _question_sets(questions)
    settings = settings_or_exit()
    kb = knowledge_from_db(settings) if from_db else build_knowledge(settings)

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


def sync(directory: KnowledgeDir = None) -> None:
    """Store the article files in the database as new versions (unchanged files add nothing)."""
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
        summary = run_db(settings, work)
    except ArticlesRejected as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        typer.echo(f"{len(exc.problems)} problem(s) in {root}; nothing stored", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{summary.added} added, {summary.unchanged} unchanged, {len(summary.deleted)} deleted"
    )


def export(
    directory: Annotated[str, typer.Argument(help="Where to write articles/<section>/<id>.md")],
) -> None:
    """Write the current version of every article from the database to DIR/articles."""
    from bot.services.kb_store.files import export_to_dir

    settings = settings_or_exit()
    root = Path(directory)

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return await export_to_dir(session, root)

    count = run_db(settings, work)
    typer.echo(f"{count} articles written to {root / 'articles'}")
