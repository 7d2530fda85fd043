"""Commands that do not talk to Telegram do not import aiogram (about 650 pydantic models:
most of a look-up's time went into importing them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.sources.demo import write_demo

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import json, sys
from typer.testing import CliRunner
from bot.cli import app
seen = {}
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(app, args)
    seen[" ".join(args[:2])] = ("aiogram" in sys.modules, result.exit_code)
print(json.dumps(seen))
"""


def test_lookups_imports_and_checks_never_import_aiogram(tmp_path: Path) -> None:
    write_demo(tmp_path / "in", 2)
    commands = [
        ["db", "upgrade"],
        ["import", str(tmp_path / "in")],
        ["procedure", "0000000000000000000", "--json"],
        ["contract", "0000000000000000000"],
        ["stats"],
        ["kb", "check"],
        ["ask", "какое обеспечение заявки?", "--json"],
    ]
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db", "PYTHONPATH": str(ROOT)}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(commands)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **env},
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen["procedure 0000000000000000000"] == [False, 1]  # not found: exit 1
    assert {cmd: imported for cmd, (imported, _) in seen.items() if imported} == {}
