"""Consultation and role services on the real migrated schema (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.consultations import (
    MAX_OPEN_PER_USER,
    MAX_QUESTION_TEXT,
    Attachment,
    PostRef,
    add_answer,
    add_follow_up,
    check_open,
    claim_announcement,
    close,
    find_by_post,
    find_by_thread,
    get_consultation,
    messages_of,
    open_consultation,
    overdue,
    posts_of,
    queue,
    rate,
    record_posts,
    release_announcement,
    take,
)
from bot.services.errors import BadInput, NotFound, Refused
from bot.services.roles import (
    add_consultant,
    check_user_id,
    list_staff,
    remove_consultant,
    role_of,
    staff_ids,
)
from bot.ui.consult import split_text, topic_name
from models import Consultation, ConsultationPost
from tests.factories import NOW, add_user

USER, OTHER, CONSULTANT, ADMIN, ADDED = 1001, 1002, 2001, 3001, 4001


# ----------------------------------------------------------------- roles
async def test_roles_from_settings_and_the_staff_table(session: AsyncSession) -> None:
    admins, consultants = [ADMIN], [CONSULTANT]
    assert await role_of(session, ADMIN, admins, consultants) == "admin"
    assert await role_of(session, CONSULTANT, admins, consultants) == "consultant"
    assert await role_of(session, ADDED, admins, consultants) == "user"
    change = await add_consultant(session, ADDED, ADMIN, NOW)
    assert change.changed and change.member.user_id == ADDED and change.member.name is None
    assert await role_of(session, ADDED, admins, consultants) == "consultant"
    again = await add_consultant(session, ADDED, ADMIN, NOW + timedelta(hours=1))
    assert not again.changed and again.member.added_at == NOW

    await add_user(session, ADDED)
    members = await list_staff(session, admins, [CONSULTANT, ADMIN])
    assert [(m.user_id, m.role, m.source) for m in members] == [
        (ADMIN, "admin", "settings"),
        (CONSULTANT, "consultant", "settings"),
        (ADDED, "consultant", "bot"),
    ]
    assert members[2].name == "Иван"
    assert await staff_ids(session, admins, consultants) == [CONSULTANT, ADDED, ADMIN]

    with pytest.raises(Refused, match="настройках"):
        await remove_consultant(session, CONSULTANT, configured_ids=[CONSULTANT, ADMIN])
    with pytest.raises(NotFound):
        await remove_consultant(session, 999)
    removed = await remove_consultant(session, ADDED, configured_ids=[CONSULTANT])
    assert removed.user_id == ADDED
    assert await role_of(session, ADDED, admins, consultants) == "user"


@pytest.mark.parametrize("bad", ["abc", "", "-100123", "0", "12.5", str(2**60)])
def test_bad_user_ids_are_refused_clearly(bad: str) -> None:
    with pytest.raises(BadInput) as exc:
        check_user_id(bad)
    assert exc.value.detail


def test_good_user_id() -> None:
    assert check_user_id(" 123456789 ") == 123456789


async def test_add_consultant_refuses_a_group_id(session: AsyncSession) -> None:
    with pytest.raises(BadInput, match="группы"):
        await add_consultant(session, -100500, ADMIN, NOW)


# ----------------------------------------------------------------- lifecycle
async def test_full_lifecycle(session: AsyncSession) -> None:
    await add_user(session, USER)
    await add_user(session, CONSULTANT)
    c = await open_consultation(session, USER, "  Как обжаловать отклонение?  ", NOW)
    assert (c.status, c.question, c.user_name, c.venue) == (
        "new",
        "Как обжаловать отклонение?",
        "Иван",
        "private",
    )
    assert c.created_at == NOW and c.waiting_since == NOW and c.attachment is None

    await record_posts(
        session,
        c.id,
        [
            PostRef(-100500, 10, "card", venue=True, thread_id=77),
            PostRef(-100500, 11, "note"),
        ],
    )
    found = await find_by_thread(session, -100500, 77)
    assert found is not None and found.id == c.id and found.venue == "forum"
    assert found.message_id == 10
    note = await find_by_post(session, -100500, 11)
    assert note is not None and note.id == c.id
    assert await find_by_post(session, -100500, 12) is None
    assert await find_by_thread(session, -100500, 78) is None
    assert [p.message_id for p in await posts_of(session, c.id, "card")] == [10]

    taken = await take(session, c.id, CONSULTANT, NOW + timedelta(minutes=5))
    assert taken.changed and taken.previous == "new"
    assert taken.view.status == "in_work" and taken.view.consultant_name == "Иван"
    again = await take(session, c.id, CONSULTANT, NOW)
    assert not again.changed

    answered = await add_answer(session, c.id, CONSULTANT, "Подайте жалобу в ФАС", NOW)
    assert answered.previous == "in_work" and answered.view.status == "answered"
    assert answered.view.answered_at == NOW

    later = NOW + timedelta(hours=1)
    doc = Attachment("BQACAgIAAxkBAAIB", "document")
    follow = await add_follow_up(session, c.id, USER, "А сроки?", later, doc)
    assert follow.view.status == "in_work" and follow.view.waiting_since == later
    with pytest.raises(NotFound):  # someone else's consultation (a forged button)
        await add_follow_up(session, c.id, OTHER, "x", later)
    with pytest.raises(NotFound):
        await check_open(session, c.id, OTHER)
    assert (await check_open(session, c.id, USER)).id == c.id

    history = await messages_of(session, c.id)
    assert [(m.direction, m.text, m.file_kind) for m in history] == [
        ("consultant", "Подайте жалобу в ФАС", None),
        ("user", "А сроки?", "document"),
    ]

    with pytest.raises(Refused):  # only closed ones are rated
        await rate(session, c.id, USER, 5)
    with pytest.raises(NotFound):  # a user cannot close someone else's
        await close(session, c.id, OTHER, later, as_owner=True)
    closed = await close(session, c.id, CONSULTANT, later)
    assert closed.changed and closed.view.status == "closed" and closed.view.closed_by == CONSULTANT
    assert not (await close(session, c.id, USER, later, as_owner=True)).changed
    with pytest.raises(Refused):
        await add_answer(session, c.id, CONSULTANT, "ещё", later)
    with pytest.raises(Refused):
        await add_follow_up(session, c.id, USER, "ещё", later)
    with pytest.raises(Refused):
        await take(session, c.id, CONSULTANT, later)
    with pytest.raises(Refused):
        await check_open(session, c.id, USER)

    with pytest.raises(BadInput):
        await rate(session, c.id, USER, 6)
    with pytest.raises(NotFound):
        await rate(session, c.id, OTHER, 5)
    rated = await rate(session, c.id, USER, 4)
    assert rated.changed and rated.view.rating == 4
    assert not (await rate(session, c.id, USER, 1)).changed
    assert (await get_consultation(session, c.id)).rating == 4


async def test_question_validation_and_open_limit(session: AsyncSession) -> None:
    await add_user(session, USER)
    with pytest.raises(BadInput):
        await open_consultation(session, USER, "   ", NOW)
    with pytest.raises(BadInput):
        await open_consultation(session, USER, "x" * (MAX_QUESTION_TEXT + 1), NOW)
    photo = await open_consultation(session, USER, "", NOW, Attachment("AgACAgIAAx", "photo"))
    assert photo.question == "" and photo.attachment == Attachment("AgACAgIAAx", "photo")
    for _ in range(MAX_OPEN_PER_USER - 1):
        await open_consultation(session, USER, "вопрос", NOW)
    with pytest.raises(Refused, match="открытых") as refused:
        await open_consultation(session, USER, "ещё один", NOW)
    # the buttons that exist: «Закрыть вопрос» under an answer, «Отозвать вопрос» before it
    assert "«Закрыть вопрос»" in str(refused.value) and "«Отозвать вопрос»" in str(refused.value)
    await close(session, photo.id, USER, NOW, as_owner=True)
    assert (await open_consultation(session, USER, "теперь можно", NOW)).status == "new"
    with pytest.raises(NotFound):
        await get_consultation(session, 10_000)


async def test_queue_is_oldest_first_with_pages(session: AsyncSession) -> None:
    await add_user(session, USER)
    await add_user(session, OTHER)
    ids = []
    for i in range(10):
        user = USER if i % 2 else OTHER
        c = await open_consultation(session, user, f"вопрос {i}", NOW + timedelta(minutes=10 - i))
        ids.append(c.id)
    await close(session, ids[9], USER, NOW)  # the oldest is closed: not in the queue
    first = await queue(session, 0, 4)
    assert first.total == 9 and first.pages == 3
    assert [c.question for c in first.items] == ["вопрос 8", "вопрос 7", "вопрос 6", "вопрос 5"]
    last = await queue(session, 99, 4)
    assert last.page == 2 and [c.question for c in last.items] == ["вопрос 0"]
    assert last.offset == 8


async def test_overdue_is_announced_once_per_period(session: AsyncSession) -> None:
    await add_user(session, USER)
    late = await open_consultation(session, USER, "давний", NOW)
    fresh = await open_consultation(session, USER, "свежий", NOW + timedelta(hours=3))
    answered = await open_consultation(session, USER, "отвеченный", NOW)
    await add_answer(session, answered.id, CONSULTANT, "ответ", NOW + timedelta(minutes=1))
    for shown in (late, fresh, answered):  # published to consultants
        await record_posts(session, shown.id, [PostRef(CONSULTANT, shown.id, "card")])
    await session.commit()

    now = NOW + timedelta(hours=5)
    assert [c.id for c in await overdue(session, now, 4)] == [late.id]
    claim = await claim_announcement(session, late.id, now, 4)
    assert claim.claimed and claim.previous is None
    assert not (await claim_announcement(session, late.id, now, 4)).claimed
    assert await overdue(session, now + timedelta(hours=1), 4) == []

    # a failed send gives the claim back
    await release_announcement(session, late.id, claim.previous)
    assert [c.id for c in await overdue(session, now, 4)] == [late.id]
    assert (await claim_announcement(session, late.id, now, 4)).claimed

    later = now + timedelta(hours=4)
    assert {c.id for c in await overdue(session, later, 4)} == {late.id, fresh.id}
    # a follow-up after an answer makes the user wait again, from that moment
    await add_follow_up(session, answered.id, USER, "а если…", later)
    assert answered.id not in {c.id for c in await overdue(session, later, 4)}
    assert answered.id in {c.id for c in await overdue(session, later + timedelta(hours=4), 4)}


async def test_a_queued_consultation_is_announced_at_once(session: AsyncSession) -> None:
    """Asked while no consultant was reachable (nothing was posted): the next SLA run shows it
    to whoever is on duty, without waiting for the SLA (issue 18)."""
    await add_user(session, USER)
    queued = await open_consultation(session, USER, "вопрос без консультантов", NOW)
    soon = NOW + timedelta(minutes=10)
    assert [c.id for c in await overdue(session, soon, 4)] == [queued.id]
    claim = await claim_announcement(session, queued.id, soon, 4)
    await record_posts(session, queued.id, [PostRef(CONSULTANT, 9, "note")])
    await session.commit()
    assert claim.claimed and await overdue(session, soon + timedelta(minutes=10), 4) == []


async def test_concurrent_claims_announce_once(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    await add_user(session, USER)
    c = await open_consultation(session, USER, "вопрос", NOW)
    now = NOW + timedelta(hours=5)
    results = []
    for _ in range(3):
        async with sessionmaker() as other:
            results.append((await claim_announcement(other, c.id, now, 4)).claimed)
    assert results == [True, False, False]


async def test_deleting_a_user_removes_their_consultations(session: AsyncSession) -> None:
    from models import User

    await add_user(session, USER)
    c = await open_consultation(session, USER, "вопрос", NOW)
    await record_posts(session, c.id, [PostRef(USER + 1, 5, "card")])
    user = await session.get(User, USER)
    await session.delete(user)
    await session.commit()
    assert (await session.execute(select(Consultation))).first() is None
    assert (await session.execute(select(ConsultationPost))).first() is None


# ----------------------------------------------------------------- text helpers
def test_split_text_keeps_paragraphs_and_limits() -> None:
    text = ("абзац " * 50 + "\n\n") * 40
    parts = split_text(text, 1000)
    assert all(0 < len(p) <= 1000 for p in parts)
    assert "".join(p.replace("\n", "").replace(" ", "") for p in parts) == text.replace(
        "\n", ""
    ).replace(" ", "")
    assert split_text("коротко") == ["коротко"]
    assert split_text("") == [""]
    assert all(len(p) <= 100 for p in split_text("x" * 450, 100))


async def test_topic_name_is_short(session: AsyncSession) -> None:
    await add_user(session, USER)
    c = await open_consultation(session, USER, "Очень " * 100, NOW)
    name = topic_name(c)
    assert name.startswith(f"№{c.id} · Очень") and len(name) <= 128
    empty = await open_consultation(session, USER, "", NOW, Attachment("x", "photo"))
    assert topic_name(empty) == f"№{empty.id} · вложение"


async def test_a_message_id_recorded_for_another_consultation_moves_not_fails(
    session: AsyncSession,
) -> None:
    """Ids restarted (a console session on an old database): the post names the newer
    consultation now; recording it neither raises nor loses the other posts."""
    await add_user(session, USER)
    first = await open_consultation(session, USER, "первый", NOW)
    second = await open_consultation(session, USER, "второй", NOW)
    await record_posts(session, first.id, [PostRef(CONSULTANT, 7, "card")])
    await record_posts(
        session, second.id, [PostRef(CONSULTANT, 7, "card"), PostRef(CONSULTANT, 8, "note")]
    )
    found = await find_by_post(session, CONSULTANT, 7)
    assert found is not None and found.id == second.id
    assert [p.message_id for p in await posts_of(session, second.id)] == [7, 8]
    assert await posts_of(session, first.id) == []
    await record_posts(session, second.id, [PostRef(CONSULTANT, 8, "note")])  # again: no-op
    assert len(await posts_of(session, second.id)) == 2
