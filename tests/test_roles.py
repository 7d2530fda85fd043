"""The scaled-out roles' parts in-process: health, readiness and metrics endpoints, update
metrics, job failures, JSON logs, waiting for migrations; on PostgreSQL the worker election,
invalidation through LISTEN/NOTIFY and two `db upgrade` at once."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Chat, Message, Update
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db import create_engine, head_revision
from bot.logjson import JsonFormatter
from bot.roles.election import Election
from bot.roles.health import Health
from bot.roles.metrics import JobFailureLog, Metrics, UpdateMetricsMiddleware
from bot.roles.migrations import upgrade_locked, wait_for_head
from bot.roles.notify import KB, Notifier
from bot.roles.web import webhook_config
from tests.support.db import reset_database

PG = os.environ.get("TEST_DATABASE_URL", "")
needs_pg = pytest.mark.skipif(
    not PG.startswith("postgresql"), reason="PostgreSQL only: set TEST_DATABASE_URL"
)


async def client_for(health: Health) -> TestClient[Any, Any]:
    app = web.Application()
    health.register(app)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_health_readiness_and_metrics(engine: AsyncEngine) -> None:
    metrics = Metrics("worker")
    health = Health(engine, metrics, None)
    client = await client_for(health)
    try:
        assert (await client.get("/healthz")).status == 200
        starting = await client.get("/readyz")
        assert starting.status == 503 and (await starting.json())["started"] == "starting"
        health.started = True
        ready = await client.get("/readyz")
        assert ready.status == 200, await ready.text()
        assert (await ready.json())["database"] == "ok"
        metrics.leader.set(1)
        body = await (await client.get("/metrics")).text()
        assert "smebot_worker_leader 1.0" in body and "smebot_ready 1.0" in body
        health.shutting_down = True
        stopping = await client.get("/readyz")
        assert stopping.status == 503 and (await stopping.json())["shutdown"] == "shutting down"
    finally:
        await client.close()


async def test_readiness_fails_without_redis(engine: AsyncEngine) -> None:
    health = Health(engine, Metrics("web"), "redis://127.0.0.1:1/0")
    health.started = True
    client = await client_for(health)
    try:
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["redis"].startswith("failed")
    finally:
        await client.close()
        await health.close()


async def test_outbox_and_document_counts(sessionmaker: Any) -> None:
    metrics = Metrics("worker")
    await metrics.refresh_database(sessionmaker)
    body = metrics.render().decode()
    assert 'smebot_documents{kind="procedure"} 0.0' in body


def _update(update_id: int) -> Update:
    message = Message(
        message_id=1, date=datetime.now(UTC), chat=Chat(id=1, type="private"), text="hi"
    )
    return Update(update_id=update_id, message=message)


async def test_updates_are_counted_by_type_and_outcome() -> None:
    metrics = Metrics("web")
    middleware = UpdateMetricsMiddleware(metrics)

    async def handled(_event: Any, _data: Any) -> str:
        return "ok"

    async def unhandled(_event: Any, _data: Any) -> Any:
        return UNHANDLED

    async def broken(_event: Any, _data: Any) -> Any:
        raise RuntimeError("boom")

    await middleware(handled, _update(1), {})
    await middleware(unhandled, _update(2), {})
    with pytest.raises(RuntimeError):
        await middleware(broken, _update(3), {})
    body = metrics.render().decode()
    for outcome in ("handled", "unhandled", "error"):
        assert f'smebot_updates_total{{outcome="{outcome}",type="message"}} 1.0' in body
    assert 'smebot_update_seconds_count{type="message"} 3.0' in body


def test_send_totals_and_job_failures() -> None:
    from bot.telegram.outbox import DeliveryStats

    metrics = Metrics("worker")
    totals = DeliveryStats(sent=5, blocked=1, throttled=2)
    metrics.watch_sends(lambda: totals)
    failures = JobFailureLog(metrics)
    failures.current = "reminders"
    log = logging.getLogger("smebot.jobs.test")
    log.addHandler(failures)
    try:
        log.error("reminders run failed")
        log.warning("not a failure")
    finally:
        log.removeHandler(failures)
    body = metrics.render().decode()
    assert 'smebot_sends_total{outcome="sent"} 5.0' in body
    assert "smebot_send_throttled_total 2.0" in body
    assert 'smebot_job_failures_total{job="reminders"} 1.0' in body


def test_json_log_lines() -> None:
    record = logging.LogRecord("smebot.jobs", logging.INFO, __file__, 1, "sent %s", (3,), None)
    record.job = "reminders"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "sent 3" and line["job"] == "reminders"
    assert line["level"] == "INFO" and line["logger"] == "smebot.jobs"


async def test_web_and_worker_wait_for_migrations(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    try:
        with pytest.raises(TimeoutError, match="run `smebot db upgrade`"):
            await wait_for_head(engine, "web", interval=0.05, timeout=0.2)
        await upgrade_locked(engine, str(engine.url))
        assert await wait_for_head(engine, "web", timeout=0) == head_revision()
    finally:
        await engine.dispose()


def test_webhook_settings_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import ConfigError

    monkeypatch.chdir(tmp_path)
    base: dict[str, Any] = {"_env_file": None}
    with pytest.raises(ConfigError, match="WEBHOOK_URL"):
        webhook_config(Settings(**base, webhook_url="", webhook_secret="s"))
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        webhook_config(Settings(**base, webhook_url="https://b.example/hook", webhook_secret="a b"))
    settings = Settings(**base, webhook_url="https://b.example/tg/hook", webhook_secret="s3-cr_t")
    assert webhook_config(settings) == ("https://b.example/tg/hook", "/tg/hook", "s3-cr_t")
    assert (settings.web_host, settings.web_port, settings.worker_port) == ("127.0.0.1", 8080, 8081)


# ------------------------------------------------------------------ PostgreSQL
@pytest.fixture
async def pg_url() -> str:
    engine = create_engine(PG)
    await reset_database(engine)
    await engine.dispose()
    return PG


@needs_pg
async def test_one_worker_is_active_and_a_standby_takes_over(pg_url: str) -> None:
    first = Election(pg_url, interval=0.1)
    second = Election(pg_url, interval=0.1)
    never = asyncio.Event()
    try:
        assert await first.acquire(never) and first.leader
        standby = asyncio.create_task(second.acquire(never))
        await asyncio.sleep(0.5)
        assert not standby.done() and not second.leader  # the lock is held
        started = time.monotonic()
        await first.release()  # as when the leader's process dies
        assert await asyncio.wait_for(standby, 30)
        print(f"\ntakeover after release: {time.monotonic() - started:.2f} s")
        assert second.leader
        stop = asyncio.Event()
        stop.set()
        assert not await first.acquire(stop)  # a stopping standby gives up
    finally:
        await first.release()
        await second.release()


@needs_pg
async def test_a_kb_swap_reaches_the_other_replica(pg_url: str) -> None:
    sender, receiver = Notifier(pg_url, "web"), Notifier(pg_url, "web")
    got: asyncio.Queue[tuple[str, float]] = asyncio.Queue()

    async def on_event(kind: str) -> None:
        got.put_nowait((kind, time.monotonic()))

    receiver.on_event(on_event)
    sender.on_event(on_event)  # its own events are ignored
    await sender.start()
    await receiver.start()
    try:
        started = time.monotonic()
        await sender.publish(KB)
        kind, at = await asyncio.wait_for(got.get(), 30)
        print(f"\ninvalidation latency: {(at - started) * 1000:.1f} ms")
        assert kind == KB and receiver.received == 1 and sender.received == 0
        await asyncio.sleep(0.2)
        assert got.empty()
    finally:
        await sender.stop()
        await receiver.stop()


@needs_pg
async def test_two_upgrades_at_once(pg_url: str) -> None:
    engines = [create_engine(pg_url), create_engine(pg_url)]
    try:
        await asyncio.gather(*(upgrade_locked(e, pg_url) for e in engines))
        assert await wait_for_head(engines[0], "web", timeout=0) == head_revision()
    finally:
        for e in engines:
            await e.dispose()


async def test_an_older_release_starts_on_a_newer_schema(engine: AsyncEngine) -> None:
    from sqlalchemy import text

    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert await wait_for_head(engine, "web", timeout=0) == "9999"


def test_json_log_lines_carry_the_update() -> None:
    from bot.logjson import UPDATE_ID, USER_ID, UpdateContext

    record = logging.LogRecord("smebot", logging.WARNING, __file__, 1, "slow", (), None)
    tokens = UPDATE_ID.set(41), USER_ID.set(7)
    try:
        UpdateContext().filter(record)
    finally:
        UPDATE_ID.reset(tokens[0])
        USER_ID.reset(tokens[1])
    line = json.loads(JsonFormatter().format(record))
    assert (line["update_id"], line["user_id"]) == (41, 7)


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL")
async def test_flood_limit_holds_across_replicas() -> None:
    from redis.asyncio import Redis

    from bot.roles.flood import PREFIX, RedisFloodControl

    redis = Redis.from_url(os.environ["TEST_REDIS_URL"])
    user_id = 987654321
    await redis.delete(f"{PREFIX}{user_id}")
    try:
        one, two = RedisFloodControl(redis, limit=3), RedisFloodControl(redis, limit=3)
        admitted = [(await replica.admit(user_id))[0] for replica in (one, two, one)]
        assert admitted == [True, True, True]
        refused, wait = await two.admit(user_id)  # the fourth, on another replica
        assert not refused and 0 < wait <= 10
        assert (await one.admit(user_id + 1))[0]  # other users are not affected
    finally:
        await redis.delete(f"{PREFIX}{user_id}", f"{PREFIX}{user_id + 1}")
        await redis.aclose()


@needs_pg
async def test_an_import_from_the_command_line_reaches_the_replicas(pg_url: str) -> None:
    from bot.roles.notify import STATS, announce

    replica = Notifier(pg_url, "web")
    got: asyncio.Queue[str] = asyncio.Queue()

    async def on_event(kind: str) -> None:
        got.put_nowait(kind)

    replica.on_event(on_event)
    await replica.start()
    try:
        await announce(pg_url, STATS)
        assert await asyncio.wait_for(got.get(), 30) == STATS
    finally:
        await replica.stop()


@needs_pg
async def test_a_leader_whose_lock_connection_drops_steps_down(pg_url: str) -> None:
    from bot.roles.election import LeadershipLost
    from bot.roles.pg import connect

    leader = Election(pg_url, check_every=0.1, application_name="smebot test-election")
    assert await leader.acquire(asyncio.Event())
    admin = await connect(pg_url, "smebot test")
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'smebot test-election'"
        )
        with pytest.raises(LeadershipLost):
            await asyncio.wait_for(leader.watch(), 30)
        assert not leader.leader
    finally:
        await admin.close()
        await leader.release()


async def test_jobs_run_with_their_name_in_the_log_context() -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.logjson import JOB
    from bot.roles.worker import name_jobs

    seen: asyncio.Queue[str | None] = asyncio.Queue()

    async def job(value: int) -> None:
        seen.put_nowait(JOB.get())
        logging.getLogger("smebot.jobs").error("run %s failed", value)

    metrics = Metrics("worker")
    failures = JobFailureLog(metrics)
    logging.getLogger("smebot.jobs").addHandler(failures)
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(job, "date", run_date=datetime.now(UTC), args=(1,), id="import_dir")
    name_jobs(scheduler)
    scheduler.start()
    try:
        assert await asyncio.wait_for(seen.get(), 30) == "import_dir"
    finally:
        scheduler.shutdown(wait=False)
        logging.getLogger("smebot.jobs").removeHandler(failures)
    assert JOB.get() is None
    assert 'smebot_job_failures_total{job="import_dir"} 1.0' in metrics.render().decode()
