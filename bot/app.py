"""Composition root: build_bot / build_dispatcher / build_scheduler. Only importer of handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import LinkPreviewOptions
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.middlewares import DbSessionMiddleware, FloodControlMiddleware, UserMiddleware
from bot.services.answers import KnowledgeBase
from handlers import get_routers

Clock = Callable[[], datetime]
log = logging.getLogger("smebot")


def utcnow() -> datetime:
    return datetime.now(UTC)


def bot_properties() -> DefaultBotProperties:
    return DefaultBotProperties(
        parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)
    )


def build_bot(settings: Settings, token: str, session: BaseSession | None = None) -> Bot:
    """A Bot talking to BOT_API_URL (Telegram's by default), or through `session`."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_url))
    return Bot(token=token, session=session, default=bot_properties())


def build_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


def build_dispatcher(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    kb: KnowledgeBase,
    clock: Clock = utcnow,
    storage: BaseStorage | None = None,
) -> Dispatcher:
    dp = Dispatcher(storage=storage or MemoryStorage(), settings=settings, clock=clock, kb=kb)
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker))
    dp.update.outer_middleware(UserMiddleware(settings, clock))
    flood = FloodControlMiddleware()
    dp.message.middleware(flood)
    dp.callback_query.middleware(flood)
    dp.include_routers(*get_routers())
    return dp


def build_knowledge(settings: Settings) -> KnowledgeBase:
    """Load and index the curated knowledge base (articles and glossary)."""
    return KnowledgeBase.from_dir(settings.knowledge_dir)


def build_scheduler(settings: Settings) -> AsyncIOScheduler:
    """APScheduler in the running loop, memory job store; jobs open their own sessions."""
    return AsyncIOScheduler(timezone=UTC)
