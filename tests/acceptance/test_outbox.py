"""Reminders, saved-search digests and news leave the bot that `smebot run` starts: a
subscriber gets a notice's reminder at its lead time exactly once although Telegram answers
5xx and 429 and the bot is restarted in between; new files in IMPORT_DIR bring a digest; a
/kb_announce reaches the users who switched news on."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.acceptance.support import (
    WAIT,
    drop_files,
    eventually,
    importing_bot,
    notice_file,
    procedures,
    reminders_every,
    reminders_to,
)
from tests.support.consult import DeskAPI

SUBSCRIBER, SEARCHER, READER, ADMIN = 4201, 4202, 4203, 4204
POLL = 2.0
LEAD = timedelta(minutes=5)  # the shortest lead time the bot accepts
# the reminder watched: the notice's auction is a date-only event on the same day, whose
# «on the day at 09:00» reminder comes as a catch-up a minute after subscribing when the test
# runs after 09:00 (Yekaterinburg), a message of its own
APPLICATIONS = "заканчивается подача заявок"


async def test_reminder_digest_and_news_across_a_restart(
    desk_api: DeskAPI, bot_db: tuple[str, AsyncEngine], tmp_path: Path
) -> None:
    api = desk_api
    url, engine = bot_db
    api.add_private_chat(ADMIN)
    env = reminders_every(POLL, "5m")
    bot, import_dir = importing_bot(api, tmp_path, url, **env, ADMIN_IDS=str(ADMIN))
    await bot.start()
    try:
        # a notice whose applications end two minutes after the lead time from now
        end = datetime.now(UTC).replace(microsecond=0) + LEAD + timedelta(seconds=120)
        name, xml, number = notice_file(701, end=end, title="Поставка тракторов колёсных")
        drop_files(import_dir, [(name, xml)])
        await eventually(lambda: procedures(engine, number), "the notice's import")

        # the subscriber follows it from its card
        mark = api.mark()
        api.user_says(SUBSCRIBER, number)
        card = await api.next_message(SUBSCRIBER, after=mark, timeout=WAIT)
        mark = api.mark()
        api.press(SUBSCRIBER, card, "Напоминать")
        done = await api.next_message(SUBSCRIBER, after=mark, method="sendMessage", timeout=WAIT)
        assert "Готово" in done.text, done.text

        # the searcher saves a search; the reader switches news on
        mark = api.mark()
        api.user_says(SEARCHER, "/find тракторов")
        found = await api.next_message(SEARCHER, after=mark, timeout=WAIT)
        mark = api.mark()
        api.press(SEARCHER, found, "Сообщать о новых")
        await bot.until(
            lambda: [s for s in api.sent[mark:] if s.chat_id == SEARCHER], "the saved search"
        )
        mark = api.mark()
        api.user_says(READER, "/settings")
        settings = await api.next_message(READER, after=mark, timeout=WAIT)
        mark = api.mark()
        api.press(READER, settings, "Новости: включить")
        await bot.until(
            lambda: [
                s
                for s in api.sent[mark:]
                if s.chat_id == READER and "Новости законодательства: <b>включены" in (s.text or "")
            ],
            f"news switched on; sent: {api.sent[mark:]}",
        )

        # Telegram fails the next two sends to the subscriber: a 5xx, then a 429
        api.fail_next("sendMessage", 502, chat_id=SUBSCRIBER)
        api.fail_next("sendMessage", 429, retry_after=1, chat_id=SUBSCRIBER)
        assert await bot.stop() == 0, bot.output()
        assert not reminders_to(api, SUBSCRIBER, APPLICATIONS)  # not due yet

        await bot.start()  # a restart, usually before the reminder is due
        restarted = time.time()
        # news: the admin announces an article
        mark = api.mark()
        api.user_says(ADMIN, "/kb_announce execution-payment-term-44")
        queued = await api.next_message(ADMIN, after=mark, timeout=WAIT)
        assert "поставлена в очередь для 1 подписчика" in queued.text, queued.text
        news = await api.next_message(READER, after=mark, timeout=WAIT)
        assert news.text.startswith("📰"), news.text

        # a digest: a new notice matching the saved search lands in IMPORT_DIR
        later = datetime.now(UTC) + timedelta(days=10)
        name, xml, fresh = notice_file(702, end=later, title="Поставка тракторов гусеничных")
        mark = api.mark()
        drop_files(import_dir, [(name, xml)])
        digest = await api.next_message(SEARCHER, after=mark, timeout=WAIT)
        assert "Новые закупки по вашим поискам" in digest.text and fresh in digest.text

        # the reminder: at its lead time, once, through the 502 and the 429
        due = (end - LEAD).timestamp()
        await bot.until(
            lambda: reminders_to(api, SUBSCRIBER, APPLICATIONS), "the reminder", timeout=240
        )
        sent_at = time.time()
        texts = [s.text for s in api.to_chat(SUBSCRIBER) if s.text.startswith("⏰")]
        assert sent_at >= due - 1, f"sent {due - sent_at:.0f} s before its time: {texts}"
        # on time; or, when a loaded machine made the restart outlast the lead, at once after it
        assert sent_at <= max(due, restarted) + POLL + 30, f"{sent_at - due:.1f} s late"
        await bot.until(lambda: time.time() > sent_at + 5 * POLL, "a few more polls")
        assert len(reminders_to(api, SUBSCRIBER, APPLICATIONS)) == 1
        assert ("sendMessage", "Bad Gateway") in api.rejections
        assert ("sendMessage", "Too Many Requests: retry after 1") in api.rejections
    finally:
        code = await bot.stop() if bot.proc is not None else 0
    assert code == 0, bot.output()
    assert "Traceback" not in bot.output(), bot.output()[-4000:]
