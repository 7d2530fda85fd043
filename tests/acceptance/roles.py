"""Support for the scaled-out roles as subprocesses: `smebot web`, `smebot worker` and
`smebot db upgrade`, each configured by its environment only (see support.py)."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.acceptance.support import START_WAIT, STRIPPED, WAIT, Managed, smebot_command
from tests.fakebotapi import FakeBotAPI

SECRET = "test-webhook-secret_0123456789"
EXTRA_STRIPPED = ("WEBHOOK_", "WEB_", "WORKER_", "LOG_", "DB_", "FSM_", "SEND_", "QUIET_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def role_env(api: FakeBotAPI, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(STRIPPED + EXTRA_STRIPPED)}
    return env | {
        "BOT_TOKEN": api.token,
        "BOT_API_URL": api.url,
        "DATABASE_URL": database_url,
        "WEBHOOK_SECRET": SECRET,
        **extra,
    }


async def http_get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


class RoleProcess(Managed):
    """One `smebot <role>` process with its log in `workdir/<name>.log`."""

    def __init__(self, name: str, args: list[str], workdir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.args = args
        self.workdir = workdir
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.log = workdir / f"{name}.log"
        self.port = int(env.get("WORKER_PORT" if args[0] == "worker" else "WEB_PORT", "0"))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                *smebot_command(),
                *self.args,
                cwd=self.workdir,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )

    async def ready(self, timeout: float = START_WAIT) -> None:
        """Until /readyz answers 200 (the process has started and its checks pass)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc is not None and self.proc.returncode is not None:
                raise AssertionError(f"{self.name} exited:\n{self.output()[-4000:]}")
            try:
                status, _ = await http_get(self.base + "/readyz")
                if status == 200:
                    return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} not ready:\n{self.output()[-4000:]}")
            await asyncio.sleep(0.2)

    async def metric(self, name: str) -> float | None:
        """The value of one sample (`name` with its labels as printed) from /metrics."""
        try:
            status, body = await http_get(self.base + "/metrics")
        except aiohttp.ClientError:  # not listening yet
            return None
        assert status == 200, body
        for line in body.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        return None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


async def run_cli(args: list[str], workdir: Path, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *smebot_command(),
        *args,
        cwd=workdir,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), WAIT * 2)
    return int(proc.returncode or 0), out.decode(errors="replace")


def update_message(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A raw update as Telegram posts it (for forged requests)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Ева"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Ева"},
            "text": text,
        },
    }
