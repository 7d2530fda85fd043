"""Issue 19 at the command line: `smebot import` fails when a file failed, a database that
cannot be reached is one line in every command, `smebot outbox unknown` lists the rows a
kill left undecided. In-process, except the smoke tests of `import` and `outbox unknown`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import smebot, smebot_process

UNREACHABLE = (
    "postgresql+asyncpg://nobody@127.0.0.1:1/nothing",
    "sqlite+aiosqlite:///{tmp}/a-file/smebot.db",  # a directory that cannot be created
)


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/cli.db"


def test_import_exits_non_zero_when_a_file_failed(tmp_path: Path, cli_db: str) -> None:
    made = smebot(
        tmp_path, "demo-data", "--count", "3", "--dir", str(tmp_path / "in"), DATABASE_URL=cli_db
    )
    assert made.returncode == 0, made.stderr
    ok = smebot(tmp_path, "import", str(tmp_path / "in"), DATABASE_URL=cli_db)
    assert ok.returncode == 0, ok.stderr
    (tmp_path / "in" / "broken.xml").write_bytes(b"<export><notice>")
    # smoke: import (parser processes, one per core, from a real process)
    failed = smebot_process(tmp_path, "import", str(tmp_path / "in"), DATABASE_URL=cli_db)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "broken.xml" in failed.stderr and "Traceback" not in failed.stderr


@pytest.mark.parametrize("url", UNREACHABLE)
@pytest.mark.parametrize(
    "args",
    [
        ("import", "."),
        ("stats",),
        ("procedure", "0169300000126000001"),
        ("contract", "2745300000126000001"),
        ("kb", "sync"),
        ("outbox", "unknown"),
    ],
)
def test_an_unreachable_database_is_one_line(
    tmp_path: Path, url: str, args: tuple[str, ...]
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    result = smebot(tmp_path, *args, DATABASE_URL=url.format(tmp=tmp_path))
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("smebot: database unreachable"), lines


def test_outbox_unknown_lists_rows_left_by_a_kill(tmp_path: Path, cli_db: str) -> None:
    assert smebot(tmp_path, "db", "upgrade", DATABASE_URL=cli_db).returncode == 0
    with sqlite3.connect(tmp_path / "cli.db") as db:
        db.execute(
            "INSERT INTO users (id, first_name, timezone, region, created_at, last_seen_at, "
            "is_active, news) VALUES (77, 'Иван', 'Asia/Yekaterinburg', '74', "
            "'2026-11-30 10:00:00', '2026-11-30 10:00:00', 1, 0)"
        )
        db.execute(
            "INSERT INTO reminders (user_id, key, kind, event, event_no, date_only, "
            "lead_minutes, due_at, status, attempts, payload, outcome, claimed_at) VALUES "
            "(77, 'k1', 'deadline', 'applications_end', 0, 0, 180, '2026-11-30 09:00:00', "
            "'unknown', 0, '', 'interrupted while sending', '2026-11-30 09:00:05')"
        )
    listed = smebot_process(tmp_path, "outbox", "unknown", DATABASE_URL=cli_db)  # smoke
    assert listed.returncode == 0, listed.stderr
    assert "user 77" in listed.stdout and "deadline/applications_end" in listed.stdout
    assert "unknown: 1" in listed.stderr
