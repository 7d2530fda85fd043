"""The knowledge base in the database: syncing from a directory and exporting it byte for byte,
publishing edits and new articles, refusing broken uploads, history and rollback."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.services import kb_store
from bot.services.answers import KnowledgeBase
from bot.services.errors import BadInput, NotFound
from knowledge.glossary import Glossary
from knowledge.loader import article_files, load_articles, load_directory
from models import ArticleVersion
from tests.factories import ARTICLE_BODY as BODY
from tests.factories import GOOD_ARTICLE as GOOD
from tests.support.kb import NEW, OTHER, write_kb

# the day the shipped articles were last checked (an article dated later is refused)
NOW = datetime.combine(
    max(a.updated for a in load_directory(DEFAULT_KNOWLEDGE_DIR)[0]), time(9), tzinfo=UTC
)


async def count_versions(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ArticleVersion)) or 0)


@pytest.fixture
async def small_kb(session: AsyncSession, tmp_path: Path) -> Path:
    """Two articles in the database, version 1 each."""
    root = write_kb(
        tmp_path / "kb",
        {"smp/test-article.md": GOOD, "security/other-article.md": OTHER},
    )
    summary = await kb_store.sync_from_dir(session, root, now=NOW)
    assert summary.created == ("other-article", "test-article")
    return root


# ---------------------------------------------------------------------- sync and export
async def test_shipped_base_sync_is_idempotent_and_exports_byte_identical(
    session: AsyncSession, tmp_path: Path
) -> None:
    files = list(article_files(DEFAULT_KNOWLEDGE_DIR))
    assert len(files) >= 80
    first = await kb_store.sync_from_dir(session, DEFAULT_KNOWLEDGE_DIR, now=NOW)
    assert (first.added, first.unchanged, first.deleted) == (len(files), 0, ())
    assert set(first.created) == {f.stem for f in files}
    second = await kb_store.sync_from_dir(
        session, DEFAULT_KNOWLEDGE_DIR, now=NOW + timedelta(hours=1)
    )
    assert (second.added, second.unchanged, second.deleted) == (0, len(files), ())
    assert await count_versions(session) == len(files)

    out = tmp_path / "export"
    assert await kb_store.export_to_dir(session, out) == len(files)
    # glossary.yaml and the other non-article files are not stored, so not exported
    exported = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    expected = sorted(f.relative_to(DEFAULT_KNOWLEDGE_DIR).as_posix() for f in files)
    assert exported == expected
    for file in files:
        assert (out / file.relative_to(DEFAULT_KNOWLEDGE_DIR)).read_bytes() == file.read_bytes()

    from_db = await kb_store.load_articles_from_db(session)
    from_files = [
        dataclasses.replace(
            a, path=Path(a.path).relative_to(DEFAULT_KNOWLEDGE_DIR / "articles").as_posix()
        )
        for a in load_articles(DEFAULT_KNOWLEDGE_DIR)
    ]
    assert from_db == from_files  # same articles, same order


async def test_round_trip_keeps_bom_crlf_and_missing_final_newline(
    session: AsyncSession, tmp_path: Path
) -> None:
    files: dict[str, str | bytes] = {
        "smp/test-article.md": GOOD.replace("\n", "\r\n").encode("utf-8"),
        "security/other-article.md": "\ufeff".encode() + OTHER.rstrip("\n").encode("utf-8"),
    }
    root = write_kb(tmp_path / "kb", files)
    await kb_store.sync_from_dir(session, root, now=NOW)
    await kb_store.export_to_dir(session, tmp_path / "out")
    for rel in files:
        original = (root / "articles" / rel).read_bytes()
        assert (tmp_path / "out" / "articles" / rel).read_bytes() == original
    assert (await kb_store.current_text(session, "test-article"))[1].count("\r\n") == 17


async def test_sync_adds_versions_for_changes_and_deletions(
    session: AsyncSession, small_kb: Path
) -> None:
    (small_kb / "articles" / "smp" / "test-article.md").write_text(
        GOOD.replace("Тестовая статья", "Изменённая статья"), encoding="utf-8"
    )
    later = NOW + timedelta(days=1)
    changed = await kb_store.sync_from_dir(session, small_kb, now=later)
    assert (changed.created, changed.updated, changed.unchanged) == ((), ("test-article",), 1)
    assert [a.title for a in await kb_store.load_articles_from_db(session)] == [
        "Тестовая статья",  # security/other-article.md sorts first
        "Изменённая статья",
    ]

    (small_kb / "articles" / "security" / "other-article.md").unlink()
    gone = await kb_store.sync_from_dir(session, small_kb, now=later)
    assert (gone.added, gone.unchanged, gone.deleted) == (0, 1, ("other-article",))
    assert [a.id for a in await kb_store.load_articles_from_db(session)] == ["test-article"]
    with pytest.raises(NotFound):
        await kb_store.current_text(session, "other-article")
    versions = await kb_store.history(session, "other-article")
    assert [(v.version, v.is_deleted, v.author) for v in versions] == [
        (2, True, "sync"),
        (1, False, "sync"),
    ]
    again = await kb_store.sync_from_dir(session, small_kb, now=later)
    assert (again.added, again.deleted) == (0, ())  # a deletion is not repeated
    assert await count_versions(session) == 4

    out = small_kb.parent / "out"
    assert await kb_store.export_to_dir(session, out) == 1
    assert not (out / "articles" / "security").exists()


async def test_sync_refuses_an_invalid_directory_and_stores_nothing(
    session: AsyncSession, small_kb: Path
) -> None:
    before = await count_versions(session)
    bad = small_kb / "articles" / "smp" / "test-article.md"
    bad.write_text(GOOD.replace("updated: 2026-11-26", "updated: вчера"), encoding="utf-8")
    (small_kb / "articles" / "smp" / "cp1251.md").write_bytes("статья".encode("cp1251"))
    (small_kb / "articles" / "smp" / "new-article.md").write_text(NEW, encoding="utf-8")
    with pytest.raises(kb_store.ArticlesRejected) as caught:
        await kb_store.sync_from_dir(session, small_kb, now=NOW)
    assert [str(p) for p in caught.value.problems] == [
        f"{small_kb / 'articles' / 'smp' / 'cp1251.md'}:1: not UTF-8 text",
        f"{bad}:13: updated: 'вчера' is not a date (YYYY-MM-DD)",
        # check_collection runs on the parsed articles only, as in `smebot kb check`
        f"{small_kb / 'articles' / 'security' / 'other-article.md'}:2: related id 'test-article' does not exist",
        f"{small_kb / 'articles' / 'smp' / 'new-article.md'}:2: related id 'test-article' does not exist",
    ]
    assert await count_versions(session) == before


@pytest.mark.usefixtures("small_kb")
async def test_sync_of_an_empty_directory_deletes_nothing(
    session: AsyncSession, tmp_path: Path
) -> None:
    (tmp_path / "empty" / "articles").mkdir(parents=True)
    with pytest.raises(kb_store.ArticlesRejected, match="no article files"):
        await kb_store.sync_from_dir(session, tmp_path / "empty", now=NOW)
    assert await count_versions(session) == 2


# ---------------------------------------------------------------------- publish
@pytest.mark.usefixtures("small_kb")
async def test_publish_an_edit_creates_version_2_and_reloads(session: AsyncSession) -> None:
    path, text = await kb_store.current_text(session, "test-article")
    assert (path, text) == ("smp/test-article.md", GOOD)
    kb = KnowledgeBase(
        await kb_store.load_articles_from_db(session),
        Glossary.load(DEFAULT_KNOWLEDGE_DIR / "glossary.yaml"),
    )
    edited = text.replace("Тестовая статья", "Квота закупок у малого бизнеса")

    preview = await kb_store.validate_upload(session, edited, today=date(2026, 11, 30))
    assert (preview.title, preview.path) == ("Квота закупок у малого бизнеса", path)
    assert await count_versions(session) == 2

    result = await kb_store.publish(session, edited, "tg:42", NOW + timedelta(hours=2))
    assert (result.version, result.changed, result.article.path) == (2, True, path)
    titles = {a.id: a.title for a in await kb_store.load_articles_from_db(session)}
    assert titles == {
        "test-article": "Квота закупок у малого бизнеса",
        "other-article": "Тестовая статья",
    }
    assert await kb_store.current_text(session, "test-article") == (path, edited)

    kb.replace_articles(await kb_store.load_articles_from_db(session))
    assert kb.view("test-article").title == "Квота закупок у малого бизнеса"
    best = kb.index.search("квота закупок у малого бизнеса").best
    assert best is not None and best.article.title == "Квота закупок у малого бизнеса"

    same = await kb_store.publish(session, edited, "tg:42", NOW + timedelta(hours=3))
    assert (same.version, same.changed) == (2, False)
    assert await count_versions(session) == 3


async def test_publish_a_new_article_creates_version_1(
    session: AsyncSession, small_kb: Path
) -> None:
    result = await kb_store.publish(session, NEW, "tg:7", NOW)
    assert (result.version, result.article.id, result.article.path) == (
        1,
        "new-article",
        "smp/new-article.md",
    )
    out = small_kb.parent / "out"
    assert await kb_store.export_to_dir(session, out) == 3
    assert (out / "articles" / "smp" / "new-article.md").read_text(encoding="utf-8") == NEW


@pytest.mark.usefixtures("small_kb")
@pytest.mark.parametrize(
    ("text", "detail"),
    [
        pytest.param(
            NEW.replace("title: Тестовая статья", "title: [unclosed"),
            "line 4: invalid YAML: expected ',' or ']', but got ':'",
            id="bad-yaml",
        ),
        pytest.param(
            NEW.replace("laws:\n  - ч. 1 ст. 30 44-ФЗ\n", "laws: []\n"),
            "line 10: missing required field 'laws'",
            id="no-citations",
        ),
        pytest.param(
            NEW.replace("  - ч. 1 ст. 30 44-ФЗ\n", "  - просто текст\n"),
            "line 11: 'просто текст' is not a citation (e.g. «ч. 8 ст. 30 44-ФЗ»)",
            id="not-a-citation",
        ),
        pytest.param(
            OTHER.replace("section: security", "section: smp"),
            "line 2: id 'other-article' already belongs to the article "
            "security/other-article.md: keep section 'security' or choose another id",
            id="duplicate-id",
        ),
        pytest.param(
            NEW.replace(BODY, " ".join(["слово"] * 900)),
            "line 17: body has 900 words; expected 80–400\n"
            "line 17: body does not render to Telegram HTML: "
            "a paragraph of 5399 characters cannot be split",
            id="too-long",
        ),
        pytest.param(
            NEW.replace("related: [test-article]", "related: [test-article, missing-one]"),
            "line 15: related id 'missing-one' does not exist",
            id="unknown-related",
        ),
        pytest.param(
            "Просто текст, а не статья.\n" + BODY,
            "line 1: no YAML front matter: the file must start with '---', the fields, and '---'",
            id="not-markdown",
        ),
        pytest.param(
            NEW.replace("updated: 2026-11-26", "updated: 2099-01-01"),
            "line 13: updated 2099-01-01 is in the future",
            id="future",
        ),
        pytest.param(
            NEW.replace("updated: 2026-11-26", "updated: вчера").replace(
                "related: [test-article]", "related: [missing-one]"
            )
            + "<div>html</div>\n",
            "line 13: updated: 'вчера' is not a date (YYYY-MM-DD)\n"
            "line 15: related id 'missing-one' does not exist\n"
            "line 17: HTML tags are not allowed in the body; use Markdown",
            id="all-problems-at-once",
        ),
    ],
)
async def test_broken_uploads_are_refused_with_reasons_and_change_nothing(
    session: AsyncSession, text: str, detail: str
) -> None:
    before = await count_versions(session)
    with pytest.raises(BadInput) as caught:
        await kb_store.publish(session, text, "tg:42", NOW)
    assert caught.value.detail == detail
    with pytest.raises(kb_store.ArticlesRejected) as preview:
        await kb_store.validate_upload(session, text, today=NOW.date())
    assert preview.value.detail == detail
    assert await count_versions(session) == before
    assert [a.id for a in await kb_store.load_articles_from_db(session)] == [
        "other-article",
        "test-article",
    ]


async def test_related_to_a_deleted_article_is_refused(
    session: AsyncSession, small_kb: Path
) -> None:
    (small_kb / "articles" / "security" / "other-article.md").unlink()
    await kb_store.sync_from_dir(session, small_kb, now=NOW)
    with pytest.raises(BadInput) as caught:
        await kb_store.publish(
            session, GOOD.replace("related: []", "related: [other-article]"), "tg:1", NOW
        )
    assert caught.value.detail == "line 15: related id 'other-article' does not exist"


# ---------------------------------------------------------------------- history, rollback
@pytest.mark.usefixtures("small_kb")
async def test_rollback_restores_the_old_text_as_a_new_version(session: AsyncSession) -> None:
    edited = GOOD.replace("Тестовая статья", "Вторая редакция")
    await kb_store.publish(session, edited, "tg:42", NOW + timedelta(hours=1))
    result = await kb_store.rollback(session, "test-article", 1, "tg:43", NOW + timedelta(hours=2))
    assert (result.version, result.changed, result.article.title) == (3, True, "Тестовая статья")
    assert await kb_store.current_text(session, "test-article") == ("smp/test-article.md", GOOD)

    versions = await kb_store.history(session, "test-article")
    assert [(v.version, v.author, v.created_at, v.comment, v.current) for v in versions] == [
        (3, "tg:43", NOW + timedelta(hours=2), "откат к версии 1", True),
        (2, "tg:42", NOW + timedelta(hours=1), "", False),
        (1, "sync", NOW, "новая статья из файлов", False),
    ]
    assert versions[0].created_at.tzinfo is not None

    with pytest.raises(NotFound):
        await kb_store.rollback(session, "test-article", 9, "tg:43", NOW)
    with pytest.raises(NotFound):
        await kb_store.history(session, "no-such-article")


async def test_rollback_brings_back_a_deleted_article(
    session: AsyncSession, small_kb: Path
) -> None:
    (small_kb / "articles" / "security" / "other-article.md").unlink()
    await kb_store.sync_from_dir(session, small_kb, now=NOW)
    with pytest.raises(BadInput, match="удаление"):
        await kb_store.rollback(session, "other-article", 2, "tg:1", NOW)
    result = await kb_store.rollback(session, "other-article", 1, "tg:1", NOW)
    assert result.version == 3
    assert [a.id for a in await kb_store.load_articles_from_db(session)] == [
        "other-article",
        "test-article",
    ]
