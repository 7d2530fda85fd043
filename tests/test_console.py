"""The console chat's own rendering: saved files, button labels, logging."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.types import BufferedInputFile

from bot.console import ConsoleSession
from bot.logging_setup import console_logging
from bot.runner import CONSOLE_TOKEN
from bot.ui.console_text import button_label


async def test_saved_files_continue_after_an_earlier_session(tmp_path: Path) -> None:
    """A new session numbers its files after the highest one on disk: 0001-stats.png of an
    earlier session is never overwritten."""
    (tmp_path / "0001-stats.png").write_bytes(b"first session")
    (tmp_path / "0012-stats.csv").write_bytes(b"first session")
    (tmp_path / "console.log").write_text("not a saved file")
    session = ConsoleSession(save_dir=tmp_path)
    bot = Bot(CONSOLE_TOKEN, session=session)
    await bot.send_photo(1, BufferedInputFile(b"second", filename="stats.png"))
    await bot.send_document(1, BufferedInputFile(b"third", filename="stats.csv"))
    saved = [item.saved for item in session.outbox]
    assert saved == [tmp_path / "0013-stats.png", tmp_path / "0014-stats.csv"]
    assert (tmp_path / "0001-stats.png").read_bytes() == b"first session"
    fresh = ConsoleSession(save_dir=tmp_path / "missing")
    await Bot(CONSOLE_TOKEN, session=fresh).send_photo(1, BufferedInputFile(b"x", "a.png"))
    assert fresh.outbox[0].saved == tmp_path / "missing" / "0001-a.png"


def test_button_labels_never_read_as_another_number() -> None:
    assert button_label("5 ⭐") == "★★★★★" and button_label("1 ⭐") == "★☆☆☆☆"
    assert button_label("2 недели") == "«2 недели»"  # a label starting with a digit is quoted
    assert button_label("✅ Закрыть") == "✅ Закрыть"


def test_console_logging_keeps_the_conversation_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records go to the file; an error shows on stderr as one line naming the file; the
    handlers are gone afterwards."""
    log_file = tmp_path / "console" / "console.log"
    log = logging.getLogger("smebot.console_test")
    root = logging.getLogger()
    handlers = list(root.handlers)
    with console_logging("INFO", log_file):
        log.info("sent a message")
        log.warning("consultation 1 queued")
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError:
            log.exception("job failed\nsecond line")
    log.error("after the chat")
    assert root.handlers == handlers
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ERROR smebot.console_test: job failed (details: {log_file})"]
    text = log_file.read_text(encoding="utf-8")
    assert "INFO smebot.console_test: sent a message" in text and "queued" in text
    assert "ZeroDivisionError: boom" in text and "after the chat" not in text
