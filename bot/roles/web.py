"""`smebot web`: a stateless webhook replica. Any number run behind a reverse proxy; each
answers users' updates and serves /healthz, /readyz and /metrics on the same port. It never
runs scheduled jobs or bulk sends (the elected worker does), and never migrates."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import build_bot, build_dispatcher, build_eis_source, build_storage, load_knowledge
from bot.config import ConfigError, Settings
from bot.db import create_sessionmaker
from bot.roles.common import build_engine, serve, stop_on_signals
from bot.roles.health import Health
from bot.roles.metrics import Metrics, UpdateMetricsMiddleware
from bot.roles.migrations import wait_for_head
from bot.roles.notify import KB, STATS, Notifier
from bot.roles.pg import KB_LOAD_LOCK, advisory_lock
from bot.services import Sessionmaker
from bot.services.answers import KnowledgeBase
from bot.services.kb_store.files import load_articles_from_db
from knowledge.search import SearchIndex

log = logging.getLogger("smebot.web")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DRAIN_SECONDS = 20.0


def webhook_config(settings: Settings) -> tuple[str, str, str]:
    """(WEBHOOK_URL, its path, WEBHOOK_SECRET) or a one-line ConfigError."""
    url = (settings.webhook_url or "").strip()
    if not re.match(r"^https?://[^/\s]+", url):
        raise ConfigError(
            "WEBHOOK_URL is not set: the https address Telegram posts updates to, path "
            "included, e.g. https://bot.example.ru/tg/webhook"
        )
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not SECRET_RE.fullmatch(secret):
        raise ConfigError(
            "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    return url, urlsplit(url).path or "/", secret


class SharedKnowledgeBase(KnowledgeBase):
    """A knowledge base whose swaps (a publish, a rollback) are announced to the replicas."""

    notifier: Notifier | None = None

    @classmethod
    def wrap(cls, kb: KnowledgeBase, notifier: Notifier) -> SharedKnowledgeBase:
        shared = cls.__new__(cls)
        shared.__dict__.update(kb.__dict__)  # the index is already built: no second build
        shared.notifier = notifier
        return shared

    def replace_articles(
        self, articles: list[Any], index: SearchIndex | None = None, *, broadcast: bool = True
    ) -> None:
        super().replace_articles(articles, index)
        if broadcast and self.notifier is not None:
            self.notifier.publish_soon(KB)


def refresher(kb: SharedKnowledgeBase, sessionmaker: Sessionmaker, metrics: Metrics) -> Any:
    async def on_event(kind: str) -> None:
        started = time.perf_counter()
        if kind == KB:
            async with sessionmaker() as session:
                articles = await load_articles_from_db(session)
            index = await asyncio.to_thread(kb.build_index, articles)
            kb.replace_articles(articles, index, broadcast=False)
        elif kind == STATS:
            from bot.services.stats.cache import clear_cache

            clear_cache()
        else:
            return
        metrics.invalidations.labels(kind).inc()
        log.info(
            "%s refreshed after another replica's change in %.3f s",
            kind,
            time.perf_counter() - started,
        )

    return on_event


async def ensure_webhook(
    bot: Bot, dp: Dispatcher, url: str, secret: str, *, force: bool = False
) -> bool:
    """setWebhook only when getWebhookInfo differs (replicas start at once; each sees the
    same info and the same call is harmless). Telegram never returns the secret: after
    changing WEBHOOK_SECRET start one replica with `--set-webhook`."""
    allowed = sorted(dp.resolve_used_update_types())
    info = await bot.get_webhook_info()
    if not force and info.url == url and sorted(info.allowed_updates or []) == allowed:
        return False
    await bot.set_webhook(url, secret_token=secret, allowed_updates=allowed)
    log.info("webhook set to %s (updates: %s)", url, ", ".join(allowed))
    return True


async def run_web(settings: Settings, token: str, *, force_set_webhook: bool = False) -> None:
    url, path, secret = webhook_config(settings)
    engine = build_engine(settings, "web")
    metrics = Metrics("web")
    notifier = Notifier(settings.database_url, "web")
    bot: Bot | None = None
    runner: web.AppRunner | None = None
    health = Health(engine, metrics, settings.redis_url)
    try:
        await wait_for_head(engine, "web")
        sessionmaker = create_sessionmaker(engine)
        async with advisory_lock(settings.database_url, KB_LOAD_LOCK, "knowledge load"):
            kb = SharedKnowledgeBase.wrap(await load_knowledge(settings, sessionmaker), notifier)
        notifier.on_event(refresher(kb, sessionmaker, metrics))
        await notifier.start()
        bot = build_bot(settings, token)
        storage = build_storage(settings)
        flood = None
        if settings.redis_url:  # a user's limit holds across the replicas
            from bot.roles.flood import RedisFloodControl

            flood = RedisFloodControl(storage.redis)  # type: ignore[attr-defined]
        dp = build_dispatcher(
            settings,
            sessionmaker,
            kb=kb,
            storage=storage,
            eis=build_eis_source(settings),
            flood=flood,
        )
        if settings.redis_url:
            from aiogram.fsm.storage.redis import RedisEventIsolation

            # one update of a chat at a time across replicas (the FSM lock lives in Redis)
            dp.fsm.events_isolation = RedisEventIsolation(storage.redis)  # type: ignore[attr-defined]
        dp.update.outer_middleware(UpdateMetricsMiddleware(metrics))
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            raise ConfigError("Telegram rejected BOT_TOKEN (401 Unauthorized)") from None

        app = web.Application()
        health.register(app)
        handler = SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret)
        handler.register(app, path=path)
        setup_application(app, dp, bot=bot)
        stop = stop_on_signals()
        runner = await serve(app, settings.web_host, settings.web_port)
        await ensure_webhook(bot, dp, url, secret, force=force_set_webhook)
        health.started = True
        log.info(
            "web replica @%s listening on %s:%s%s",
            me.username,
            settings.web_host,
            settings.web_port,
            path,
        )
        await stop.wait()
        health.shutting_down = True  # /readyz says 503: the proxy stops sending here
        await _drain(handler)
    finally:
        if runner is not None:
            await runner.cleanup()  # the dispatcher's shutdown closes the FSM storage
        await notifier.stop()
        await health.close()
        if bot is not None:
            await bot.session.close()
        await engine.dispose()
        log.info("stopped")


async def _drain(handler: SimpleRequestHandler) -> None:
    """Updates already accepted (answered 200, handled in the background) finish first."""
    tasks: set[asyncio.Task[Any]] = getattr(handler, "_background_feed_update_tasks", set())
    if tasks:
        log.info("finishing %s update(s) in progress", len(tasks))
        await asyncio.wait(set(tasks), timeout=DRAIN_SECONDS)
