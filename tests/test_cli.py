"""The `smebot` command line: in-process through Typer's runner, and one real subprocess per
command (version, db upgrade, procedure, ask, demo-data, chat, run) as its smoke test."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from tests.fakebotapi import FakeBotAPI
from tests.support.cli import ROOT, cli_env, smebot, smebot_process

REVOKED = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"  # well-formed, not the fake's token


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    # The CLI tests exercise SQLite file handling; PostgreSQL is covered by the async tests.
    return f"sqlite+aiosqlite:///{tmp_path}/cli.db"


def test_version_and_help(tmp_path: Path) -> None:
    assert smebot_process(tmp_path, "version").stdout.startswith("smebot ")  # smoke: version
    for args in ([], ["run"], ["chat"], ["db"], ["db", "upgrade"], ["version"]):
        result = smebot(tmp_path, *args, "--help")
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage" in result.stdout
        assert "<bool>" not in result.stdout


def test_db_upgrade(tmp_path: Path, cli_db: str) -> None:
    result = smebot_process(tmp_path, "db", "upgrade", DATABASE_URL=cli_db)  # smoke: db upgrade
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cli.db").exists()
    assert result.stdout.startswith("migrated the database from revision (empty) to 0")
    again = smebot(tmp_path, "db", "upgrade", DATABASE_URL=cli_db)
    assert again.returncode == 0 and "nothing to migrate" in again.stdout


def test_an_unknown_number_names_the_database(tmp_path: Path, cli_db: str) -> None:
    # smoke: procedure
    result = smebot_process(tmp_path, "procedure", "0374030000026000287", DATABASE_URL=cli_db)
    assert result.returncode == 1 and f"not found in {cli_db}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_import_progress_shows_counts_and_the_file(tmp_path: Path, cli_db: str) -> None:
    write = smebot(tmp_path, "demo-data", "--count", "5", "--dir", "demo", DATABASE_URL=cli_db)
    assert write.returncode == 0, write.stderr
    result = smebot(
        tmp_path,
        "import",
        "demo",
        "--workers",
        "0",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/other.db",
        TTY_COMPATIBLE="1",  # rich draws its progress bar as on a terminal
        NO_COLOR="1",
        COLUMNS="160",
    )
    assert result.returncode == 0, result.stderr
    frames = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stdout).replace("\r", "\n")
    total = len(list((tmp_path / "demo").iterdir()))
    assert re.search(rf"Импорт\s.*\b{total}/{total}\s+\S+_demo\.xml", frames), frames[-500:]


def test_ask_json_prints_cyrillic_as_is(tmp_path: Path, cli_db: str) -> None:
    # smoke: ask (the bytes a real stdout gets)
    result = smebot_process(tmp_path, "ask", "--json", "что такое НМЦК", DATABASE_URL=cli_db)
    assert result.returncode == 0, result.stderr
    assert "НМЦК" in result.stdout and "\\u04" not in result.stdout


def test_import_twice_says_unchanged_like_demo_data(tmp_path: Path, cli_db: str) -> None:
    # smoke: demo-data
    demo = smebot_process(
        tmp_path, "demo-data", "--count", "5", "--dir", "demo", DATABASE_URL=cli_db
    )
    assert demo.returncode == 0 and "unchanged" in demo.stdout, demo.stderr
    again = smebot(tmp_path, "import", "demo", "--workers", "0", DATABASE_URL=cli_db)
    assert again.returncode == 0, again.stderr
    assert "unchanged: " in again.stdout and "skipped" not in again.stdout


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_run_without_valid_token_explains_in_one_line(
    tmp_path: Path, cli_db: str, token: str
) -> None:
    result = smebot(tmp_path, "run", DATABASE_URL=cli_db, BOT_TOKEN=token)
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_run_without_network_says_so_in_one_line(tmp_path: Path, cli_db: str) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = smebot(
        tmp_path,
        "run",
        DATABASE_URL=cli_db,
        BOT_TOKEN=REVOKED,
        BOT_API_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="INFO",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("smebot: cannot reach the Bot API") and "make chat" in last


def test_empty_token_from_env_example_opens_the_console(tmp_path: Path, cli_db: str) -> None:
    """`cp .env.example .env && make run`: the empty BOT_TOKEN= starts the console chat."""
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"))
    result = smebot(tmp_path, "run", "--chat-without-token", stdin="выход\n", DATABASE_URL=cli_db)
    assert result.returncode == 0, result.stderr
    assert "Здравствуйте" in result.stdout and "make chat" in result.stderr


def test_chat_through_stdin(tmp_path: Path, cli_db: str) -> None:
    # smoke: chat
    lines = "/help\n8\nфото котика\n/menu\n1\n99\n/consult Как вернуть обеспечение?\n/quit\n/help\n"
    result = smebot_process(tmp_path, "chat", stdin=lines, DATABASE_URL=cli_db)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the queued consultation logs a WARNING: into the file named once, not the conversation
    assert out.count("data/console/console.log") == 1 and "вопрос можно отозвать" in out
    assert "WARNING" not in out + result.stderr and "queued" not in out + result.stderr
    log = (tmp_path / "data" / "console" / "console.log").read_text(encoding="utf-8")
    assert "WARNING smebot.consult: consultation 1 queued" in log
    assert "Здравствуйте" in out  # /start is sent on entry
    assert "[1] ⚖️ Вопрос по закону" in out
    assert "В базе пока нет закупок" in out and "make run" in out  # a fresh database says so
    assert "Как пользоваться ботом" in out
    # /quit ended the chat: the /help after it got no answer
    assert "Как пользоваться ботом" not in out[out.rindex("Отозвать вопрос") :]
    assert "Команду /quit я не знаю" not in out
    assert "Поиск закупок" in out  # button 8 (the 2nd of the help menu): find
    assert "Напишите ваш вопрос" in out  # button 1: the first menu's, still on screen
    assert "Кнопки [99] нет" in out  # not a question to the knowledge base
    assert "До встречи" in out
    assert "Traceback" not in result.stderr


def test_console_consultant_answers_by_replying(tmp_path: Path, cli_db: str) -> None:
    """CONSULTANT_IDS with the console user's id: ask, then answer with «>>N текст»."""
    lines = "/consult Как вернуть обеспечение заявки?\n>>8 В течение 5 рабочих дней.\n11\n"
    result = smebot(tmp_path, "chat", stdin=lines, DATABASE_URL=cli_db, CONSULTANT_IDS="100000001")
    assert result.returncode == 0, result.stderr
    assert "[7] ↩️ Отозвать вопрос" in result.stdout  # README's walkthrough: these numbers
    assert "[8] 🛠 Взять в работу" in result.stdout
    assert "Ответ консультанта" in result.stdout and "5 рабочих дней" in result.stdout
    assert "[11] ✅ Закрыть вопрос" in result.stdout
    # the rating keyboard: no digit but the button's number («[7] 5 ⭐» read as button 5)
    ratings = re.findall(r"\[(\d+)\] ([★☆]{5})", result.stdout)
    assert [stars for _n, stars in ratings] == ["★☆☆☆☆", "★★☆☆☆", "★★★☆☆", "★★★★☆", "★★★★★"]
    assert "⭐" not in "".join(line for line in result.stdout.splitlines() if "] " in line)


def test_console_consultant_demo_works_again_in_a_second_session(
    tmp_path: Path, cli_db: str
) -> None:
    """README's walkthrough twice on one database: the console's message ids continue from
    the first session (as Telegram's never repeat in a chat), so the second question is
    posted, recorded and answered like the first."""
    first = "/consult Как вернуть обеспечение заявки?\n"
    ran = smebot(tmp_path, "chat", stdin=first, DATABASE_URL=cli_db, CONSULTANT_IDS="100000001")
    assert ran.returncode == 0 and "Вопрос принят" in ran.stdout, ran.stderr
    second = "/consult Заказчик не подписывает акт, что делать?\n"
    ran = smebot(tmp_path, "chat", stdin=second, DATABASE_URL=cli_db, CONSULTANT_IDS="100000001")
    assert ran.returncode == 0, ran.stderr
    assert "№2" in ran.stdout and "что-то пошло не так" not in ran.stdout, ran.stdout
    take = re.search(r"\[(\d+)\] 🛠 Взять в работу", ran.stdout)
    assert take is not None, ran.stdout
    answer = f"{second}>>{take.group(1)} Направьте мотивированный отказ.\n"
    ran = smebot(tmp_path, "chat", stdin=answer, DATABASE_URL=cli_db, CONSULTANT_IDS="100000001")
    assert "IntegrityError" not in ran.stderr and "что-то пошло не так" not in ran.stdout
    assert "Ответ консультанта" in ran.stdout and "мотивированный отказ" in ran.stdout


def test_chat_saves_the_chart_and_the_csv(tmp_path: Path) -> None:
    """The console writes photos and documents under data/console/ and prints the paths."""
    db = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    demo = smebot(
        tmp_path, "demo-data", "--count", "40", "--dir", str(tmp_path / "demo"), DATABASE_URL=db
    )
    assert demo.returncode == 0, demo.stderr
    result = smebot(tmp_path, "chat", stdin="/stats\n", DATABASE_URL=db)
    assert result.returncode == 0, result.stderr
    assert "В базе пока нет закупок" not in result.stdout
    saved = sorted((tmp_path / "data" / "console").glob("0*"))
    assert [p.suffix for p in saved] == [".png"] and saved[0].stat().st_size > 10_000
    assert f"Изображение сохранено: {saved[0].relative_to(tmp_path)}" in result.stdout
    csv_button = next(  # numbers are stable: the same lines number the same buttons
        line.split("] ")[0].rsplit("[", 1)[-1]
        for line in result.stdout.splitlines()
        if "CSV" in line and "[" in line
    )
    result = smebot(tmp_path, "chat", stdin=f"/stats\n{csv_button}\n", DATABASE_URL=db)
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "data" / "console").glob("*.csv"))
    assert len(files) == 1 and files[0].read_bytes().startswith(b"\xef\xbb\xbf")
    assert f"Файл сохранён: {files[0].relative_to(tmp_path)}" in result.stdout


async def test_a_revoked_token_is_one_line(tmp_path: Path, cli_db: str) -> None:
    api = FakeBotAPI()
    await api.start()
    try:  # the command runs its own event loop: in a thread, while the fake serves in ours
        result = await asyncio.to_thread(
            smebot, tmp_path, "run", DATABASE_URL=cli_db, BOT_TOKEN=REVOKED, BOT_API_URL=api.url
        )
    finally:
        await api.stop()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("smebot: Telegram rejected BOT_TOKEN")


async def test_run_polls_fake_server_and_answers_quickly(tmp_path: Path, cli_db: str) -> None:
    """Smoke: run — a real process, stopped by SIGTERM; Alembic's INFO lines stay quiet."""
    api = FakeBotAPI()
    await api.start()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=cli_env(
            DATABASE_URL=cli_db, BOT_TOKEN=api.token, BOT_API_URL=api.url, LOG_LEVEL="INFO"
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await api.wait_for(lambda: "getUpdates" in api.calls, timeout=300)  # start-up under load
        assert {"start", "menu", "help", "faq"} <= {c["command"] for c in api.commands}
        for text in ("/start", "/help"):
            mark = api.mark()
            started = time.monotonic()
            api.user_says(7, text)
            reply = await api.next_message(7, after=mark, timeout=60)
            # a missed long-poll wake-up would cost the 30 s polling timeout (LONG_POLL_SECONDS);
            # a busy machine takes a few seconds at most
            assert time.monotonic() - started < 25.0
            assert len(reply.buttons()) == 6
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
        await api.stop()
    assert proc.returncode == 0, err.decode()
    assert b"stopped" in err
    assert b"Traceback" not in err and b"setup plugin" not in err
