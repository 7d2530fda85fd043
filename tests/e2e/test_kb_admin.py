"""Consultants edit the knowledge base from Telegram: edit, upload, preview, publish live,
broken uploads refused, history, rollback, gaps; ordinary users see none of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.services.answers import KnowledgeBase
from bot.services.kb_store.files import load_articles_from_db, sync_from_dir
from knowledge.glossary import Glossary
from models import ArticleVersion
from tests.fakebotapi import FakeBotAPI
from tests.support.bot import FixedClock, RunningBot, start_bot

ADMIN, USER = 8001, 8002
ARTICLE = "security-223-smp"
PATH = DEFAULT_KNOWLEDGE_DIR / "articles" / "security" / f"{ARTICLE}.md"


@pytest.fixture
async def kb_bot(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    clock: FixedClock,
) -> AsyncIterator[tuple[RunningBot, KnowledgeBase]]:
    clock.now = datetime.now(UTC)  # articles carry real review dates; none may be «in the future»
    await sync_from_dir(session, DEFAULT_KNOWLEDGE_DIR, now=clock.now)
    kb = KnowledgeBase(
        await load_articles_from_db(session), Glossary.load(DEFAULT_KNOWLEDGE_DIR / "glossary.yaml")
    )
    staff = settings.model_copy(update={"admin_ids": [ADMIN]})
    running = await start_bot(fake_api, staff, sessionmaker, clock, kb=kb)
    yield running, kb
    await running.stop()


async def _versions(session: AsyncSession) -> int:
    await session.rollback()
    return int(
        (await session.execute(select(func.count()).select_from(ArticleVersion))).scalar_one()
    )


async def test_staff_edit_publish_history_rollback(
    kb_bot: tuple[RunningBot, KnowledgeBase], session: AsyncSession
) -> None:
    running, kb = kb_bot
    api = running.api
    original = PATH.read_text(encoding="utf-8")
    before = await _versions(session)

    api.user_says(ADMIN, f"/kb_edit {ARTICLE}")
    document = await api.next_message(ADMIN, method="sendDocument")
    files = [v for v in document.params.values() if isinstance(v, dict) and "filename" in v]
    assert [f["filename"] for f in files] == [f"{ARTICLE}.md"] and files[0]["size"] > 500

    new_title = "Обеспечение по 223-ФЗ для МСП: лимиты и способы"
    edited = original.replace(
        'title: "Какое обеспечение может требовать заказчик по 223-ФЗ в закупках у МСП"',
        f'title: "{new_title}"',
    )
    assert edited != original
    mark = api.mark()
    api.user_sends_document(ADMIN, f"{ARTICLE}.md", edited.encode("utf-8"))
    preview = await api.next_message(ADMIN, after=mark)
    assert "Предпросмотр" in preview.text and "новая версия 2" in preview.text
    assert await _versions(session) == before  # nothing stored before «Опубликовать»
    mark = api.mark()
    api.press(ADMIN, preview, "Опубликовать")
    published = await api.next_message(ADMIN, after=mark)
    assert "Опубликовано" in published.text and "версия 2" in published.text
    assert kb.articles[ARTICLE].title == new_title  # live at once, no restart
    assert await _versions(session) == before + 1

    # broken uploads change nothing and say why
    broken = edited.replace("laws:\n", "lawz:\n", 1)
    for name, content, reason in (
        (f"{ARTICLE}.md", broken.encode("utf-8"), "не принята"),
        (f"{ARTICLE}.md", edited.encode("cp1251", errors="replace"), "UTF-8"),
        ("picture.png", b"\x89PNG\r\n", ".md"),
        (f"{ARTICLE}.md", b"", "пуст"),
    ):
        mark = api.mark()
        api.user_sends_document(ADMIN, name, content)
        refusal = await api.next_message(ADMIN, after=mark)
        assert reason in refusal.text, (name, refusal.text)
    assert await _versions(session) == before + 1
    assert kb.articles[ARTICLE].title == new_title

    mark = api.mark()
    api.user_says(ADMIN, f"/kb_history {ARTICLE}")
    listing = await api.next_message(ADMIN, after=mark)
    assert "v2" in listing.text and "v1" in listing.text and f"tg:{ADMIN}" in listing.text

    mark = api.mark()
    api.user_says(ADMIN, f"/kb_rollback {ARTICLE} 1")
    rolled = await api.next_message(ADMIN, after=mark)
    assert "версия 3" in rolled.text
    assert kb.articles[ARTICLE].title != new_title
    assert not api.rejections


async def test_a_figure_the_cited_part_does_not_state_is_flagged_in_the_preview(
    kb_bot: tuple[RunningBot, KnowledgeBase], session: AsyncSession
) -> None:
    running, _ = kb_bot
    api = running.api
    before = await _versions(session)
    # ч. 5 ст. 49 44-ФЗ: «Не позднее двух рабочих дней …» — three is not in that part
    wrong = PATH.read_text(encoding="utf-8").rstrip("\n") + (
        "\n\nВ аукционе по 44-ФЗ заявки рассматривают за 3 рабочих дня (ч. 5 ст. 49 44-ФЗ).\n"
    )
    mark = api.mark()
    api.user_sends_document(ADMIN, f"{ARTICLE}.md", wrong.encode("utf-8"))
    preview = await api.next_message(ADMIN, after=mark)
    line = wrong.count("\n")  # the added sentence is the file's last line
    assert "Предпросмотр" in preview.text
    assert "Проверьте цифры" in preview.text
    assert f"строка {line}: «3 рабочих дня» — нет в ч. 5 ст. 49" in preview.text
    mark = api.mark()
    api.press(ADMIN, preview, "Опубликовать")  # a warning, not a refusal
    assert "Опубликовано" in (await api.next_message(ADMIN, after=mark)).text
    assert await _versions(session) == before + 1
    # the shipped article as it is: no warning
    mark = api.mark()
    api.user_sends_document(ADMIN, f"{ARTICLE}.md", PATH.read_bytes())
    assert "Проверьте цифры" not in (await api.next_message(ADMIN, after=mark)).text
    assert not api.rejections


async def test_gaps_for_staff_and_nothing_for_users(
    kb_bot: tuple[RunningBot, KnowledgeBase],
) -> None:
    running, _ = kb_bot
    api = running.api
    for question in (
        "как получить субсидию на покупку трактора по 44-ФЗ",
        "субсидия на трактор через закупку 44-ФЗ",
    ):
        mark = api.mark()
        api.user_says(USER, question)
        await api.next_message(USER, after=mark)
    mark = api.mark()
    api.user_says(USER, "/kb_gaps")
    hidden = await api.next_message(USER, after=mark)
    assert "Чего не хватает" not in hidden.text
    mark = api.mark()
    api.user_sends_document(USER, "x.md", b"---\nid: x\n---\n")
    assert "Предпросмотр" not in (await api.next_message(USER, after=mark)).text

    mark = api.mark()
    api.user_says(ADMIN, "/kb_gaps")
    gaps = await api.next_message(ADMIN, after=mark)
    assert "Чего не хватает" in gaps.text and "трактор" in gaps.text
