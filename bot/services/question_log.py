"""The question log written behind the reply (issue 13: replies near the framework's floor).

An answer's buttons carry its log id, so the id must be known before the reply is sent, but
the row need not be written by then. QuestionLogWriter hands out ids reserved in blocks and
writes the rows in batches, one transaction each, right after the replies: a question costs
the reply no database round trip (one in BLOCK reserves the next block).

Reserving never collides with rows written any other way, by this or another process:
- PostgreSQL: the ids come from the table's own sequence (`nextval` for a whole block);
- SQLite, which takes max(id) + 1 for a new row: the reserving question's row is written at
  once at max(id) + BLOCK, in one statement (under the write lock), so the ids below it are
  this writer's and any other insert goes above it.
Ids are unique, not in the order of time within a block; readers order by `created_at`.

Nothing is lost on a stop: `close` (the dispatcher's shutdown and the runner's `finally`)
writes what is pending. Readers that need a row just logged (👍/👎, the article chosen,
/forget) call `flush` first."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.answers import MAX_QUESTION, Answer
from models import QuestionLog

log = logging.getLogger("smebot.question_log")
BLOCK = 64
RETRY_SECONDS = 1.0
_COLUMNS = (
    "user_id", "source", "question", "outcome", "article_id", "score", "confidence",
    "answered", "created_at",
)  # fmt: skip


def question_row(
    answer: Answer, *, user_id: int | None, source: str, now: datetime
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "source": source,
        "question": answer.question[: MAX_QUESTION * 5],
        "outcome": answer.outcome,
        "article_id": answer.article.id if answer.article else None,
        "score": answer.score,
        "confidence": answer.confidence,
        "answered": answer.answered,
        "created_at": now,
    }


class QuestionLogWriter:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], block: int = BLOCK) -> None:
        self.sessionmaker = sessionmaker
        self.block = block
        self._spare: deque[int] = deque()
        self._pending: list[dict[str, Any]] = []
        self._reserving = asyncio.Lock()
        self._writing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def log(self, answer: Answer, *, user_id: int | None, source: str, now: datetime) -> int:
        """The row's id at once; the row itself is written right after (see the module)."""
        row = question_row(answer, user_id=user_id, source=source, now=now)
        if not self._spare:
            async with self._reserving:
                if not self._spare:
                    written = await self._reserve(row)
                    if written is not None:
                        return written
        row["id"] = self._spare.popleft()
        self._pending.append(row)
        if self._closed:
            await self.flush()
        elif self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_soon())
        return int(row["id"])

    async def flush(self) -> None:
        """Write every pending row now (for a reader that needs them, and on a stop)."""
        async with self._writing:
            while self._pending:
                rows, self._pending = self._pending, []
                try:
                    await self._write(rows)
                except BaseException:  # an error, or cancelled: kept, in order, for the next try
                    self._pending[:0] = rows
                    raise

    async def close(self) -> None:
        self._closed = True
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task])
        await self.flush()

    async def _write_soon(self) -> None:
        await asyncio.sleep(0)  # after the replies of this turn of the loop: one batch
        while self._pending and not self._closed:
            try:
                await self.flush()
            except Exception:
                log.exception("question log not written yet; trying again")
                await asyncio.sleep(RETRY_SECONDS)

    async def _write(self, rows: list[dict[str, Any]]) -> None:
        async with self.sessionmaker() as session:
            try:
                await session.execute(insert(QuestionLog), rows)
                await session.commit()
                return
            except IntegrityError:
                await session.rollback()  # one bad row (a user gone) must not cost the rest
            for row in rows:
                try:
                    await session.execute(insert(QuestionLog), [row])
                    await session.commit()
                except IntegrityError:
                    await session.rollback()
                    log.error("question log row dropped: %r", {**row, "question": "…"})

    async def _reserve(self, row: dict[str, Any]) -> int | None:
        """A new block of ids. On SQLite `row` is written with the block's top id (returned);
        on PostgreSQL nothing is written (None)."""
        async with self.sessionmaker() as session:
            if session.get_bind().dialect.name == "postgresql":
                sequence = func.pg_get_serial_sequence("question_log", "id")
                ids = await session.scalars(
                    select(func.nextval(sequence)).select_from(func.generate_series(1, self.block))
                )
                self._spare.extend(sorted(ids))
                return None
            top = select(
                func.coalesce(func.max(QuestionLog.id), 0) + self.block,
                *(literal(row[c], QuestionLog.__table__.c[c].type) for c in _COLUMNS),
            )
            result = await session.execute(
                insert(QuestionLog).from_select(["id", *_COLUMNS], top).returning(QuestionLog.id)
            )
            written = int(result.scalar_one())
            await session.commit()
        self._spare.extend(range(written - self.block + 1, written))
        return written


__all__ = ["BLOCK", "QuestionLogWriter", "question_row"]
