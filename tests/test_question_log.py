"""The question log written behind the reply: ids at once, rows right after, none lost on
a stop, no id ever given twice — beside other writers (another process, a plain INSERT)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.answers import Answer
from bot.services.question_log import QuestionLogWriter
from models import QuestionLog, User
from tests.support.bot import RunningBot

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
ALICE = 4001


def _answer(n: int) -> Answer:
    return Answer(f"вопрос {n}", "none", None, 0.5, 0.1, ())


async def test_ids_at_once_rows_after_and_never_twice(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    alice = User(id=ALICE, first_name="Алиса", timezone="Asia/Yekaterinburg", region="66")
    session.add(alice)
    alice.created_at = alice.last_seen_at = NOW
    await session.commit()
    ours, other = QuestionLogWriter(sessionmaker, block=4), QuestionLogWriter(sessionmaker, block=3)
    ids: list[int] = []
    for n in range(10):  # several blocks of each, interleaved with plain inserts
        ids.append(await ours.log(_answer(n), user_id=ALICE, source="chat", now=NOW))
        ids.append(await other.log(_answer(100 + n), user_id=None, source="chat", now=NOW))
        if n % 3 == 0:
            row = QuestionLog(source="cli", question=f"вставка {n}", outcome="none", created_at=NOW)
            session.add(row)
            await session.commit()
            ids.append(row.id)
    await asyncio.gather(
        *(ours.log(_answer(200 + n), user_id=ALICE, source="chat", now=NOW) for n in range(9))
    )
    await ours.close()
    await other.close()
    assert len(set(ids)) == len(ids)
    count = await session.scalar(select(func.count()).select_from(QuestionLog))
    assert count == len(ids) + 9
    stored = set((await session.scalars(select(QuestionLog.id))).all())
    assert set(ids) <= stored
    first = await session.get(QuestionLog, ids[0])
    assert first is not None and first.question == "вопрос 0" and first.user_id == ALICE


async def test_a_question_is_stored_even_when_the_bot_stops_right_after_the_reply(
    running_bot: RunningBot, session: AsyncSession
) -> None:
    api = running_bot.api
    api.user_says(ALICE, "какое обеспечение заявки на аукционе?")
    await api.wait_for(lambda: [s for s in api.to_chat(ALICE) if s.buttons()])
    await running_bot.stop()  # no idle(): the dispatcher's shutdown writes what is pending
    rows = (await session.scalars(select(QuestionLog).where(QuestionLog.user_id == ALICE))).all()
    assert [r.question for r in rows] == ["какое обеспечение заявки на аукционе?"]
