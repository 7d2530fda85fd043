"""Keyword search over notices: FTS5 on SQLite, a stored tsvector on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import BadInput, NotFound
from bot.services.procurement.procedures import procedure_status
from bot.sources.records import ProcedureStatus
from knowledge.text import lemmas
from models import Procedure

MAX_WORDS = 12
COUNT_CAP = 1000
USER_QUERY_TIMEOUT_MS = 5000
WALK_TIMEOUT_MS = 300  # a newest-first walk of the primary key that takes longer gives up
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement_timeout
FTS = table("procedures_fts", column("rowid"))
# PostgreSQL: the stored tsvector column of migration 0009 (GIN-indexed; not in the models,
# since SQLite has no such column and searches its FTS5 table instead).
SEARCH_VECTOR: ColumnElement[Any] = literal_column("procedures.search_vector")


@dataclass(frozen=True, slots=True)
class SearchFilters:
    region: str | None = None
    smp_only: bool = False
    max_price: Decimal | None = None
    accepting_only: bool = False


@dataclass(frozen=True, slots=True)
class ProcedureBrief:
    number: str
    title: str
    max_price: Decimal | None
    currency: str
    applications_end: datetime | None
    smp_only: bool
    status: ProcedureStatus


@dataclass(frozen=True, slots=True)
class SearchPage:
    words: str
    items: tuple[ProcedureBrief, ...]
    total: int
    page: int
    pages: int
    more: bool = False  # more matches than COUNT_CAP
    dropped: str = ""  # no notice had every word: the word left out to find these


def _fts_terms(words: str) -> list[str]:
    terms = [t for t in lemmas(words, citations=False) if t.isalnum()]
    if not terms:
        raise BadInput("Напишите, что ищете, словами: например, «поставка бумаги».")
    return list(dict.fromkeys(terms))[:MAX_WORDS]


def _inn(words: str) -> str | None:
    """A customer's INN typed alone (10 digits for an organisation, 12 for a person)."""
    digits = words.strip()
    return digits if digits.isdigit() and len(digits) in (10, 12) else None


def _matching(
    dialect: str, words: str, terms: list[str]
) -> tuple[Select[tuple[Procedure]], ColumnElement[Any]]:
    """Notices with every term (or of the customer whose INN `words` is), and the order
    that puts the newest first."""
    inn = _inn(words)
    if inn is not None:
        return select(Procedure).where(Procedure.customer_inn == inn), Procedure.id.desc()
    if dialect == "sqlite":
        match = " AND ".join(f'"{t}"' for t in terms)
        # The FTS table drives the query (newest rowid first) and the PK join stops early.
        stmt = (
            select(Procedure)
            .join(FTS, FTS.c.rowid == Procedure.id)
            .where(text("procedures_fts MATCH :match").bindparams(match=match))
        )
        return stmt, FTS.c.rowid.desc()
    query = func.to_tsquery("russian", " & ".join(terms))
    return select(Procedure).where(SEARCH_VECTOR.op("@@")(query)), Procedure.id.desc()


def _word_of(words: str, term: str) -> str:
    """The user's word that gave the lemma `term` (the lemma itself when none did)."""
    return next((w for w in words.split() if term in lemmas(w, citations=False)), term)


def _filtered(
    stmt: Select[tuple[Procedure]], filters: SearchFilters, now: datetime
) -> Select[tuple[Procedure]]:
    if filters.region:
        stmt = stmt.where(Procedure.region == filters.region)
    if filters.smp_only:
        stmt = stmt.where(Procedure.smp_only.is_(True))
    if filters.max_price is not None:
        stmt = stmt.where(Procedure.max_price <= filters.max_price)
    if filters.accepting_only:
        stmt = stmt.where(Procedure.applications_end > now, Procedure.status.is_(None))
    return stmt


async def _walk(session: AsyncSession, stmt: Select[Any]) -> list[Any]:
    """The rows of a newest-first query with a LIMIT that many rows match.

    PostgreSQL underestimates how many notices a pair of common words matches (it takes the
    words as independent: 1,500 instead of 40,000 at 1M) and builds a bitmap of every match
    and sorts them: 50–90 ms. Walking the primary key newest first stops after a few hundred
    rows (≈ 1 ms). The walk is bounded by WALK_TIMEOUT_MS: a filter combination that matches
    only old notices falls back to the planner's own plan."""
    if session.get_bind().dialect.name != "postgresql":
        return list((await session.execute(stmt)).scalars())
    try:
        async with session.begin_nested():
            await session.execute(text("SET LOCAL enable_bitmapscan = off"))
            await session.execute(text(f"SET LOCAL statement_timeout = {WALK_TIMEOUT_MS}"))
            rows = list((await session.execute(stmt)).scalars())
            await session.execute(text("SET LOCAL enable_bitmapscan = on"))
            await session.execute(text(f"SET LOCAL statement_timeout = {USER_QUERY_TIMEOUT_MS}"))
            return rows
    except DBAPIError as exc:  # the savepoint is rolled back, and the two settings with it
        if getattr(exc.orig, "sqlstate", None) != QUERY_CANCELED:
            raise
    return list((await session.execute(stmt)).scalars())


async def _open_first(
    session: AsyncSession,
    base: Select[tuple[Procedure]],
    accepting: ColumnElement[bool],
    newest: ColumnElement[Any],
    start: int,
    page_size: int,
) -> list[Procedure]:
    """A page of many matches: the open ones newest first, then the rest newest first."""
    open_base = base.where(accepting)
    rows: list[Procedure] = await _walk(
        session, open_base.order_by(newest).limit(page_size).offset(start)
    )
    if len(rows) == page_size:
        return rows
    if start == 0 or rows:  # every open match is before this page's end
        opened = start + len(rows)
    else:  # how many open matches the earlier pages showed
        upto = open_base.with_only_columns(Procedure.id).order_by(newest).limit(start).subquery()
        opened = (await _walk(session, select(func.count()).select_from(upto)))[0]
    rest = base.where(or_(Procedure.applications_end.is_(None), ~accepting))
    return rows + await _walk(
        session,
        rest.order_by(newest).limit(page_size - len(rows)).offset(max(0, start - opened)),
    )


async def search_procedures(
    session: AsyncSession,
    words: str,
    filters: SearchFilters,
    now: datetime,
    page: int = 0,
    page_size: int = 5,
    after_id: int | None = None,
) -> SearchPage:
    """Full-text search over lemmatised text: FTS5 on SQLite, russian tsvector on PostgreSQL."""
    terms = [] if _inn(words) else _fts_terms(words)
    dialect = session.get_bind().dialect.name
    base, newest = _matching(dialect, words, terms)
    base = _filtered(base, filters, now)
    if after_id is not None:  # saved searches: only procedures loaded since the last check
        base = base.where(Procedure.id > after_id)
    if dialect == "postgresql":
        # A user's query must not hold a connection for long whatever the planner does.
        await session.execute(text(f"SET LOCAL statement_timeout = {USER_QUERY_TIMEOUT_MS}"))
    # Procedures still accepting applications come first (issue 18: 4 of the first 5 were
    # closed), each group newest first. Counting every match of a common word is the slow part
    # at millions of rows: take up to COUNT_CAP + 1 matches through the text index (a bitmap
    # scan on PostgreSQL) and say «более …» beyond.
    accepting = and_(Procedure.applications_end > now, Procedure.status.is_(None))
    is_open = case((accepting, 1), else_=0).label("is_open")
    pairs = (
        await session.execute(base.with_only_columns(Procedure.id, is_open).limit(COUNT_CAP + 1))
    ).all()
    dropped = ""
    if not pairs and len(terms) > 1 and after_id is None:
        # «офисная бумага для принтера»: no notice has every word; show those that have all
        # but one (the word whose absence finds the most), and say which word was left out
        for term in terms:
            rest = [t for t in terms if t != term]
            alt = _filtered(_matching(dialect, words, rest)[0], filters, now)
            alt_pairs = (
                await session.execute(
                    alt.with_only_columns(Procedure.id, is_open).limit(COUNT_CAP + 1)
                )
            ).all()
            if len(alt_pairs) > len(pairs):
                base, pairs, dropped = alt, alt_pairs, _word_of(words, term)
    counted = len(pairs)
    total = min(counted, COUNT_CAP)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 0), pages - 1)
    start = page * page_size
    if counted == 0:
        rows: Iterable[Procedure] = ()
    elif counted <= COUNT_CAP:  # all of them are here: order them in Python
        ids = [i for i, _ in sorted(pairs, key=lambda r: (r[1], r[0]), reverse=True)]
        wanted = ids[start : start + page_size]
        found = (await session.execute(select(Procedure).where(Procedure.id.in_(wanted)))).scalars()
        rows = sorted(found, key=lambda p: wanted.index(p.id))
    else:  # many matches: the open ones, then the rest, each newest first (stops early)
        rows = await _open_first(session, base, accepting, newest, start, page_size)
    items = tuple(
        ProcedureBrief(
            p.number,
            p.title,
            p.max_price,
            p.currency,
            p.applications_end,
            p.smp_only,
            procedure_status(p.status, None, p.applications_end, now),
        )
        for p in rows
    )
    shown = " ".join(words.split())  # the user's words, not the lemmas searched for
    return SearchPage(shown, items, total, page, pages, more=counted > COUNT_CAP, dropped=dropped)


async def similar_words(session: AsyncSession, number: str) -> str:
    """Words to find procedures like this one: the first content words of its title."""
    title = (
        await session.execute(select(Procedure.title).where(Procedure.number == number))
    ).scalar_one_or_none()
    if title is None:
        raise NotFound(number)
    return " ".join(lemmas(title, citations=False)[:3])
