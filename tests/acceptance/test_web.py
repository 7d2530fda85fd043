"""`smebot web` and `smebot worker` as an operator starts them (SQLite, or PostgreSQL with
TEST_DATABASE_URL): migrations are a step of their own; webhook replicas answer updates the
fake Telegram posts with the secret, refuse a forged request with 401 and change nothing,
set the webhook only when Telegram's differs; health, readiness and metrics answer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from models import User
from tests.acceptance.roles import (
    RoleProcess,
    free_port,
    http_get,
    role_env,
    run_cli,
    update_message,
)
from tests.acceptance.support import START_WAIT, WAIT
from tests.fakebotapi import FakeBotAPI

USER, FORGER = 5101, 5102


async def users(engine: AsyncEngine, user_id: int) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).select_from(User).where(User.id == user_id)
        return int((await conn.execute(query)).scalar_one())


async def test_web_and_worker_roles(
    fake_api: FakeBotAPI, bot_db: tuple[str, AsyncEngine], tmp_path: Path
) -> None:
    api = fake_api
    url, engine = bot_db
    port = free_port()
    hook = f"http://127.0.0.1:{port}/tg/hook"
    env = role_env(api, url, WEBHOOK_URL=hook, WEB_PORT=str(port), WORKER_PORT=str(free_port()))

    # a replica started before the migrations waits for them, saying why
    web = RoleProcess("web", ["web"], tmp_path, env)
    await web.start()
    try:
        await web_waits_for_migrations(web)
        code, out = await run_cli(["db", "upgrade"], tmp_path, env)
        assert code == 0, out
        await web.ready()
        assert api.calls.count("setWebhook") == 1
        assert api.webhook["url"] == hook and api.webhook["secret_token"]
        assert "message" in api.webhook["allowed_updates"]

        # an update posted with the secret is answered once
        mark = api.mark()
        update_id = api.user_says(USER, "/start")
        reply = await api.next_message(USER, after=mark, timeout=WAIT)
        assert reply.text
        assert api.delivered_to(update_id) == [hook]

        # a forged request: 401, nothing stored, nothing sent
        for secret in ("", "wrong-secret"):
            status = await api.post_webhook(update_message(10**6, FORGER, "/start"), secret=secret)
            assert status == 401
        assert await users(engine, FORGER) == 0
        assert not api.to_chat(FORGER)

        status, body = await http_get(web.base + "/healthz")
        assert status == 200 and '"ok"' in body
        status, body = await http_get(web.base + "/metrics")
        assert status == 200
        assert 'smebot_updates_total{outcome="handled",type="message"}' in body
        assert "smebot_update_seconds_bucket" in body

        # a restart (or a second replica) finds the webhook set and leaves it alone
        assert await web.stop() == 0, web.output()
        await web.start()
        await web.ready()
        assert api.calls.count("setWebhook") == 1

        # the worker: the only one (SQLite) or elected (PostgreSQL), health and leader state
        worker = RoleProcess("worker", ["worker"], tmp_path, env)
        await worker.start()
        try:
            await worker.ready()
            await web_until(worker, "smebot_worker_leader", 1.0)
            status, _ = await http_get(worker.base + "/healthz")
            assert status == 200
        finally:
            assert await worker.stop() == 0, worker.output()
    finally:
        if web.proc is not None:
            assert await web.stop() == 0, web.output()
    assert "Traceback" not in web.output(), web.output()[-4000:]


async def web_waits_for_migrations(web: RoleProcess) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + START_WAIT
    while "run `smebot db upgrade`" not in web.output():
        assert web.proc is not None and web.proc.returncode is None, web.output()
        assert time.monotonic() < deadline, web.output()
        await asyncio.sleep(0.2)


async def web_until(process: RoleProcess, sample: str, value: float) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + WAIT
    while await process.metric(sample) != value:
        assert time.monotonic() < deadline, process.output()[-4000:]
        await asyncio.sleep(0.2)
