"""The reply path of a free-text question asks the database only what it must (issue 13:
replies near the framework's floor). Statements are recorded on the engine while the real
dispatcher answers through the fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.bot import RunningBot

ALICE = 3001
QUESTION = "какое обеспечение заявки на аукционе?"


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _ask(bot: RunningBot, user_id: int, text: str) -> None:
    api = bot.api
    before = len(api.to_chat(user_id))
    api.user_says(user_id, text)
    await api.wait_for(lambda: len([s for s in api.to_chat(user_id) if s.buttons()]) > before)
    await bot.idle()


async def test_a_question_never_asks_for_the_staff_role(
    running_bot: RunningBot, engine: AsyncEngine
) -> None:
    await _ask(running_bot, ALICE, QUESTION)  # the first contact registers the user
    with statements(engine) as seen:
        await _ask(running_bot, ALICE, "а какой размер обеспечения исполнения контракта?")
    assert seen, "the question was not logged"
    assert not [s for s in seen if "staff" in s.lower()], seen
