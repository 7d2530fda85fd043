"""The `smebot` command line, run as a real subprocess."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]


def cli_env(tmp_path: Path, db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN_", "CONSULT"))}
    env.update({"DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), **extra})
    return env


def smebot(
    tmp_path: Path, db_url: str, *args: str, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=cli_env(tmp_path, db_url, **extra),
        timeout=120,
    )


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    # The CLI tests exercise SQLite file handling; PostgreSQL is covered by the async tests.
    return f"sqlite+aiosqlite:///{tmp_path}/cli.db"


def test_version_and_help(tmp_path: Path, cli_db: str) -> None:
    assert smebot(tmp_path, cli_db, "version").stdout.startswith("smebot ")
    for args in ([], ["run"], ["chat"], ["db"], ["db", "upgrade"], ["version"]):
        result = smebot(tmp_path, cli_db, *args, "--help")
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage" in result.stdout


def test_db_upgrade(tmp_path: Path, cli_db: str) -> None:
    result = smebot(tmp_path, cli_db, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cli.db").exists()


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_run_without_valid_token_explains_in_one_line(
    tmp_path: Path, cli_db: str, token: str
) -> None:
    result = smebot(tmp_path, cli_db, "run", BOT_TOKEN=token)
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_chat_through_stdin(tmp_path: Path, cli_db: str) -> None:
    result = smebot(tmp_path, cli_db, "chat", stdin="/help\n2\nфото котика\n/menu\n1\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Здравствуйте" in out  # /start is sent on entry
    assert "[1] ⚖️ Вопрос по закону" in out
    assert "Как пользоваться ботом" in out
    assert "Поиск закупок" in out  # button 2 of the help menu: find
    assert "Напишите ваш вопрос" in out  # button 1 of the last menu
    assert "До встречи" in out
    assert "Traceback" not in result.stderr


async def test_run_polls_fake_server_and_answers_quickly(tmp_path: Path, cli_db: str) -> None:
    api = FakeBotAPI()
    await api.start()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=cli_env(tmp_path, cli_db, BOT_TOKEN=api.token, BOT_API_URL=api.url, LOG_LEVEL="INFO"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await api.wait_for(lambda: "getUpdates" in api.calls, timeout=60)
        assert {"start", "menu", "help", "faq"} <= {c["command"] for c in api.commands}
        for text in ("/start", "/help"):
            mark = api.mark()
            started = time.monotonic()
            api.user_says(7, text)
            reply = await api.next_message(7, after=mark, timeout=5)
            assert time.monotonic() - started < 1.0
            assert len(reply.buttons()) == 6
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
        await api.stop()
    assert proc.returncode == 0, err.decode()
    assert b"stopped" in err
