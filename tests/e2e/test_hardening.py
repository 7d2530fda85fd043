"""Issue 19 through the running bot: a failed article download logs no token and answers in
one line; an alias bomb in uploaded front matter is refused at once and the bot keeps
answering."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.logging_setup import install_secret_filter
from tests.fakebotapi import FakeBotAPI
from tests.support.bot import FixedClock, start_bot

ADMIN = 8101
PATH = DEFAULT_KNOWLEDGE_DIR / "articles" / "security" / "security-223-smp.md"


class BadFileServer(FakeBotAPI):
    """The Bot API works; its file server answers 502 (as while a consultant uploads)."""

    async def _download(self, _request: web.Request) -> web.Response:
        return web.Response(status=502, text="Bad Gateway")


@pytest.fixture
async def bad_files() -> AsyncIterator[BadFileServer]:
    api = BadFileServer()
    await api.start()
    yield api
    await api.stop()


async def test_a_failed_download_logs_no_token_and_answers_in_one_line(
    bad_files: BadFileServer,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_secret_filter()  # what `smebot run` does in setup_logging
    caplog.set_level(logging.INFO)
    staff = settings.model_copy(update={"admin_ids": [ADMIN]})
    running = await start_bot(bad_files, staff, sessionmaker, clock)
    try:
        mark = bad_files.mark()
        bad_files.user_sends_document(ADMIN, "article.md", PATH.read_bytes())
        reply = await bad_files.next_message(ADMIN, after=mark)
        assert "Не удалось скачать файл" in reply.text and "\n" not in reply.text.strip()
    finally:
        await running.stop()
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records) + caplog.text
    assert "/file/bot" in logged  # the failing URL is in the log …
    assert bad_files.token not in logged  # … without the token
    assert bad_files.token.split(":")[1] not in logged


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "---\n" + "\n".join(lines) + "\nid: bomb\n---\nТекст.\n"


async def test_an_alias_bomb_in_front_matter_is_refused_at_once(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    staff = settings.model_copy(update={"admin_ids": [ADMIN]})
    running = await start_bot(fake_api, staff, sessionmaker, clock)
    try:
        mark = fake_api.mark()
        started = time.monotonic()
        fake_api.user_sends_document(ADMIN, "bomb.md", _bomb(9).encode())
        refusal = await fake_api.next_message(ADMIN, after=mark)
        assert "anchors and aliases" in refusal.text, refusal.text
        assert time.monotonic() - started < 30  # 9 levels took 111 s and 8.2 GB before
        mark = fake_api.mark()
        fake_api.user_says(ADMIN, "/help")
        assert "/forget" in (await fake_api.next_message(ADMIN, after=mark)).text
    finally:
        await running.stop()


FORGED = [
    f"{prefix}{n}{suffix}"
    for n in (2**31, 2**63, 10**30, -5)
    for prefix, suffix in (
        ("r1:del:", ":0"),
        ("r1:page:0:", ""),
        ("f1:", ":1"),
        ("a1:about-data-and-forget:", ""),
        ("q1::", ""),
        ("cn1:take:", ":0"),
        ("cn1:rate:1:", ""),
    )
]


async def test_forged_huge_callback_ids_are_answered_politely(
    fake_api: FakeBotAPI,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    staff = settings.model_copy(update={"admin_ids": [ADMIN]})
    running = await start_bot(fake_api, staff, sessionmaker, clock)
    try:
        mark = fake_api.mark()
        fake_api.user_says(ADMIN, "/settings")
        shown = await fake_api.next_message(ADMIN, after=mark)
        with caplog.at_level(logging.WARNING):
            for i, data in enumerate(FORGED):  # one user each: no flood control in the way
                answer = await fake_api.answer_of(fake_api.press_data(8200 + i, shown, data))
                assert "устарела" in str(answer.get("text")), (data, answer)
    finally:
        await running.stop()
    assert "Traceback" not in caplog.text and "failed" not in caplog.text, caplog.text
