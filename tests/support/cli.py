"""`smebot` for tests: in-process through Typer's runner (the fast loop), or as a real
subprocess for the one smoke test each command has.

Both see the same configuration: the shell's environment without any bot setting, plus what
the test passes, and the test's working directory (a `.env` there is read as usual).
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# Never from the developer's shell: every setting, and the bot's own prefixes.
_SETTINGS = frozenset(name.upper() for name in Settings.model_fields)
_PREFIXES = ("BOT_", "ADMIN_", "CONSULT")


@dataclass(frozen=True, slots=True)
class Ran:
    """What a command did, read the same way in-process and as a subprocess."""

    returncode: int
    stdout: str
    stderr: str


def _foreign(name: str) -> bool:
    upper = name.upper()  # settings are read case-insensitively
    return upper in _SETTINGS or upper.startswith(_PREFIXES)


def cli_env(**settings: str) -> dict[str, str]:
    """The environment of a subprocess: the shell's without bot settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not _foreign(k)}
    return {**env, "PYTHONPATH": str(ROOT), **settings}


def smebot(cwd: Path, *args: str, stdin: str = "", **settings: str) -> Ran:
    """`smebot ARGS` in this process, in `cwd`, with `settings` as environment variables."""
    env: dict[str, str | None] = {k: None for k in os.environ if _foreign(k)}
    env.update(settings)
    with chdir(cwd):
        result = CliRunner().invoke(app, list(args), input=stdin, env=env)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))  # as Python prints it
    return Ran(result.exit_code, result.stdout, stderr)


def smebot_process(
    cwd: Path, *args: str, stdin: str = "", timeout: float = 600, **settings: str
) -> Ran:
    """`python -m bot ARGS` as a real subprocess: the smoke test of a command. The timeout only
    catches a hang: a busy 2-core machine stretches a 10 s command several times over."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=cli_env(**settings),
        timeout=timeout,
    )
    return Ran(done.returncode, done.stdout, done.stderr)
