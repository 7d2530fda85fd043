"""The reply path of a free-text question asks the database only what it must (issue 13:
replies near the framework's floor). Statements are recorded on the engine while the real
dispatcher answers through the fake Bot API."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.services.answers import KnowledgeBase
from bot.services.known_users import KNOWN_FOR, KnownUsers
from bot.services.users import Contact, UserInfo, set_active, touch_user
from bot.ui.answer_text import article_texts
from models import User
from tests.support.bot import RunningBot, shipped_kb

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


async def test_a_recent_user_is_not_read_again_until_someone_writes_users(
    running_bot: RunningBot, engine: AsyncEngine, session: AsyncSession
) -> None:
    await _ask(running_bot, ALICE, QUESTION)
    with statements(engine) as seen:
        await _ask(running_bot, ALICE, "а какой размер обеспечения исполнения контракта?")
    assert not [s for s in seen if "from users" in s.lower()], seen
    # any write to users (here: found to have blocked the bot) makes the next update read
    await set_active(session, ALICE, False)
    with statements(engine) as seen:
        await _ask(running_bot, ALICE, QUESTION)
    assert [s for s in seen if "from users" in s.lower()], seen
    user = await session.get(User, ALICE, populate_existing=True)
    assert user is not None and user.is_active  # writing again reactivated them


async def test_known_users_skip_what_was_read_before_a_write() -> None:
    known = KnownUsers()
    alice, bob = Contact(ALICE, "Алиса"), Contact(ALICE + 1, "Боб")
    info = UserInfo(ALICE, "Алиса", None, "Asia/Yekaterinburg", "66", True)
    bob_info = replace(info, id=bob.id, first_name="Боб")
    now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    generation = known.generation
    known.forget(ALICE)  # Alice written between the read and the put
    known.put(alice, info, now, now, generation=generation)
    known.put(bob, bob_info, now, now, generation=generation)
    assert known.get(alice, now) is None and known.get(bob, now) == bob_info
    known.put(alice, info, now, now, generation=known.generation)
    assert known.get(alice, now) == info
    known.forget(bob.id)  # another user's write keeps Alice
    assert known.get(alice, now) == info and known.get(bob, now) is None
    assert known.get(Contact(ALICE, "Алиса", username="alice"), now) is None  # renamed
    assert known.get(alice, now + KNOWN_FOR) is None  # another process may have written
    known.put(alice, replace(info, is_active=False), now, now, generation=known.generation)
    assert known.get(alice, now) is None  # an inactive user is always read (reactivation)
    known.put(alice, info, now, now, generation=known.generation)
    generation = known.generation
    known.forget()  # a write that names no user: everyone
    assert known.get(alice, now) is None
    known.put(alice, info, now, now, generation=generation)
    assert known.get(alice, now) is None


async def test_the_engine_tells_which_users_were_written(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    known = KnownUsers.watching(engine)
    now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    people = [Contact(ALICE + i, f"Имя{i}") for i in range(3)]
    for contact in people:
        await touch_user(
            session, contact, now=now, default_timezone="Asia/Yekaterinburg", default_region="66",
            known=known,
        )  # fmt: skip
    assert all(known.get(c, now) is not None for c in people)  # a new user keeps the others
    await set_active(session, ALICE, False)  # names no user: everyone is read again
    assert all(known.get(c, now) is None for c in people)


async def _touch_at_once(
    sessionmaker: async_sessionmaker[AsyncSession], known: KnownUsers, contacts: list[Contact]
) -> list[UserInfo]:
    now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)

    async def touch(contact: Contact) -> UserInfo:
        async with sessionmaker() as session:
            return await touch_user(
                session, contact, now=now, default_timezone="Asia/Yekaterinburg",
                default_region="66", known=known,
            )  # fmt: skip

    return list(await asyncio.gather(*(touch(c) for c in contacts)))


async def test_messages_sent_at_once_by_someone_new_register_them_once(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    known = KnownUsers.watching(engine)
    alice = Contact(ALICE, "Алиса")
    with statements(engine) as seen:
        infos = await _touch_at_once(sessionmaker, known, [alice] * 20)
    assert len([s for s in seen if s.lower().startswith("insert into users")]) == 1, seen
    assert len([s for s in seen if "from users" in s.lower()]) == 2, seen  # before and after
    assert [i.is_new for i in infos].count(True) == 1
    assert {replace(i, is_new=False) for i in infos} == {replace(infos[0], is_new=False)}
    # renamed meanwhile: the cached name is not theirs, so that update writes its own
    with statements(engine) as seen:
        infos = await _touch_at_once(
            sessionmaker, known, [Contact(ALICE + 1, "Боб"), Contact(ALICE + 1, "Борис")]
        )
    assert len([s for s in seen if s.lower().startswith("insert into users")]) == 2, seen
    assert sorted(i.first_name for i in infos) == ["Боб", "Борис"]


async def test_after_a_failed_registration_the_next_waiting_update_registers_the_user(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    known = KnownUsers.watching(engine)
    failures = iter([RuntimeError("connection lost")])

    def fail_once(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lower().lstrip().startswith("select") and "from users" in statement.lower():
            exc = next(failures, None)
            if exc is not None:
                raise exc

    event.listen(engine.sync_engine, "before_cursor_execute", fail_once)
    try:
        with statements(engine) as seen:
            results = await asyncio.gather(
                _touch_at_once(sessionmaker, known, [Contact(ALICE, "Алиса")]),
                _touch_at_once(sessionmaker, known, [Contact(ALICE, "Алиса")] * 3),
                return_exceptions=True,
            )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", fail_once)
    assert isinstance(results[0], RuntimeError)  # the first reader failed ...
    assert [i.id for i in results[1]] == [ALICE] * 3  # type: ignore[union-attr]  # ... not these
    assert len([s for s in seen if s.lower().startswith("insert into users")]) == 1, seen
    assert not known._in_flight


def test_a_published_article_is_shown_as_published_at_once() -> None:
    """Views and their texts are kept per set of articles: a publish replaces them."""
    kb = KnowledgeBase(list(shipped_kb().articles.values()), shipped_kb().glossary)
    answer = kb.ask(QUESTION)
    assert answer.article is not None
    first = article_texts(kb.view(answer.article.id))
    assert article_texts(kb.view(answer.article.id)) == first  # the kept view
    edited = dataclasses.replace(
        kb.articles[answer.article.id], body="Новый текст статьи.", title="Новое название"
    )
    kb.replace_articles([edited if a.id == edited.id else a for a in kb.articles.values()])
    texts = article_texts(kb.view(edited.id))
    assert "Новый текст статьи." in texts[0] and "Новое название" in texts[0]
    assert "Новое название" in article_texts(kb.ask(QUESTION).article)[0]  # type: ignore[arg-type]
