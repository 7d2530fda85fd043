"""The import contracts bite: an import the house forbids makes `lint-imports` fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "knowledge", "models")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(script), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )


def test_a_job_importing_a_handler_breaks_the_layers(tmp_path: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.md", "*.yaml", "*.j2", "*.xz", "*.gz")
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert lint(tmp_path).returncode == 0  # the copy as it is keeps every contract

    jobs = tmp_path / "bot" / "jobs" / "reminders.py"
    jobs.write_text(jobs.read_text(encoding="utf-8") + "\nimport handlers.start  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "bot.jobs.reminders -> handlers.start" in result.stdout, result.stdout[-2000:]
