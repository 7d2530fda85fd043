"""Composition root: build_bot / build_dispatcher / build_scheduler. Only importer of handlers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import LinkPreviewOptions
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import utcnow
from bot.config import Settings
from bot.jobs import consult as consult_jobs
from bot.jobs import sync as sync_jobs
from bot.jobs.reminders import ReminderRunner
from bot.jobs.retention import retention_job
from bot.jobs.running import Scheduler
from bot.middlewares import (
    CommandMiddleware,
    DbSessionMiddleware,
    FloodControlMiddleware,
    InputModeMiddleware,
    UserMiddleware,
)
from bot.services import Clock
from bot.services.answers import KnowledgeBase
from bot.services.known_users import KnownUsers
from bot.services.question_log import QuestionLogWriter
from bot.services.reminders.prefs import Defaults
from bot.sources.base import DirectorySource, Source
from bot.sync_filters import inline_magic_filters
from bot.telegram.callbacks import AnswerWhenDone
from bot.telegram.outbox import Delivery
from bot.telegram.session import JsonSession
from handlers import get_prompts, get_routers

EIS_DOWNLOADS = Path("data/eis")
log = logging.getLogger("smebot")


def bot_properties() -> DefaultBotProperties:
    return DefaultBotProperties(
        parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)
    )


# aiogram parametrises Response[T] on every call; pydantic keeps generic classes only weakly,
# so under load the class was rebuilt (schema and all) for most requests: about 7 % of the
# reply path's CPU in a profile. Strong references to the ones the bot uses keep them cached.
PINNED_METHODS = [
    "GetUpdates",
    "SendMessage",
    "EditMessageText",
    "EditMessageReplyMarkup",
    "AnswerCallbackQuery",
    "SendPhoto",
    "SendDocument",
    "AnswerInlineQuery",
    "GetMe",
    "SetMyCommands",
    "DeleteMyCommands",
    "DeleteWebhook",
    "SetWebhook",
    "GetWebhookInfo",
    "GetFile",
    "SendChatAction",
    "DeleteMessage",
    "CreateForumTopic",
    "CloseForumTopic",
    "GetChat",
    "SendVoice",
    "SendVideo",
    "SendAudio",
    "SendVideoNote",
    "CopyMessage",
]
_pinned: list[object] = []


def pin_response_types() -> None:
    if _pinned:
        return
    from aiogram import methods
    from aiogram.methods.base import Response

    for name in PINNED_METHODS:
        _pinned.append(Response[getattr(methods, name).__returning__])  # type: ignore[misc]


def build_bot(settings: Settings, token: str, session: BaseSession | None = None) -> Bot:
    """A Bot talking to BOT_API_URL (Telegram's by default; JSON bodies, see JsonSession), or
    through `session`."""
    pin_response_types()
    if session is None:
        session = JsonSession(api=TelegramAPIServer.from_base(settings.bot_api_url))
    return Bot(token=token, session=session, default=bot_properties())


def build_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        # states of abandoned dialogs expire instead of piling up (FSM_TTL_HOURS)
        ttl = int(settings.fsm_ttl_hours * 3600)
        return RedisStorage.from_url(settings.redis_url, state_ttl=ttl, data_ttl=ttl)
    return MemoryStorage()


def reminder_defaults(settings: Settings) -> Defaults:
    return Defaults(settings.reminder_lead_times, settings.quiet_hours, settings.default_timezone)


def build_reminders(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    bot: Bot,
    clock: Clock = utcnow,
) -> ReminderRunner:
    """The outbox runner with the one rate-limited sender (SEND_RATE)."""
    delivery = Delivery(bot, rate=settings.send_rate)
    return ReminderRunner(sessionmaker, delivery, reminder_defaults(settings), clock)


def build_dispatcher(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    kb: KnowledgeBase,
    clock: Clock = utcnow,
    storage: BaseStorage | None = None,
    eis: Source | None = None,
    flood: BaseMiddleware | None = None,
    known_users: KnownUsers | None = None,
) -> Dispatcher:
    """`known_users` only where this dispatcher alone handles the updates (see KnownUsers)."""
    question_log = QuestionLogWriter(sessionmaker)
    dp = Dispatcher(
        storage=storage or MemoryStorage(),
        settings=settings,
        clock=clock,
        kb=kb,
        eis=eis,
        sessionmaker=sessionmaker,
        defaults=reminder_defaults(settings),
        question_log=question_log,
    )
    dp.shutdown.register(question_log.close)  # nothing asked is lost on a stop
    # before the session: see there; web replicas pass one counted in Redis (bot/roles/flood.py)
    dp.update.outer_middleware(flood or FloodControlMiddleware())
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker))
    dp.update.outer_middleware(UserMiddleware(settings, clock, known_users))
    # /cmd@otherbot is dropped, /FIND is /find; then a command or another button leaves an
    # input mode (a prompt waiting for typed text: bot/telegram/prompts.py)
    dp.message.outer_middleware(CommandMiddleware())
    input_modes = InputModeMiddleware(get_prompts())
    dp.message.outer_middleware(input_modes)
    dp.callback_query.outer_middleware(input_modes)
    # every button press is answered once, by this, after its handler (bot/telegram/callbacks.py)
    dp.callback_query.middleware(AnswerWhenDone())
    dp.include_routers(*get_routers())
    inline_magic_filters(dp)
    return dp


def build_knowledge(settings: Settings) -> KnowledgeBase:
    """Load and index the curated knowledge base (articles and glossary)."""
    return KnowledgeBase.from_dir(settings.knowledge_dir)


async def load_knowledge(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock = utcnow
) -> KnowledgeBase:
    """The running bot's articles live in the database (consultants edit them there); on the
    first start the shipped `knowledge/` directory is loaded into it."""
    from bot.services.kb_store.files import load_articles_from_db, sync_from_dir
    from knowledge.glossary import Glossary

    async with sessionmaker() as session:
        articles = await load_articles_from_db(session)
        if not articles:
            summary = await sync_from_dir(session, settings.knowledge_dir, now=clock())
            log.info("knowledge base loaded into the database: %s added", summary.added)
            articles = await load_articles_from_db(session)
    return KnowledgeBase(articles, Glossary.load(settings.knowledge_dir / "glossary.yaml"))


def build_eis_source(settings: Settings) -> Source | None:
    """The EIS information service client when EIS_TOKEN is configured."""
    if settings.eis_token is None or not settings.eis_token.get_secret_value().strip():
        return None
    from bot.sources.eis_client.client import EisClient

    return EisClient(
        settings.eis_token.get_secret_value(),
        settings.eis_url,
        settings.eis_ca_bundle,
        download_dir=EIS_DOWNLOADS,
    )


def build_scheduler(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    eis: Source | None = None,
    clock: Clock = utcnow,
    reminders: ReminderRunner | None = None,
    bot: Bot | None = None,
) -> Scheduler:
    """APScheduler in the running loop, memory job store; jobs open their own sessions; a
    stop lets the runs under way finish (`Scheduler.stop`)."""
    scheduler = Scheduler(timezone=UTC)
    if reminders is not None:
        scheduler.add_job(
            scheduler.tracked(reminders.tick),
            "interval",
            seconds=settings.reminder_poll_seconds,
            id="reminders",
            next_run_time=datetime.now(UTC),  # due reminders go out right after a start
            max_instances=1,
            coalesce=True,
        )
    scheduler.add_job(
        scheduler.tracked(retention_job),
        "interval",
        hours=24,
        args=(sessionmaker, clock),
        kwargs={
            "question_days": settings.question_retention_days,
            "consultation_days": settings.consultation_retention_days,
        },
        id="retention",
        next_run_time=datetime.now(UTC),  # old data goes right after a start, then daily
        max_instances=1,
        coalesce=True,
    )
    if settings.import_dir is not None:
        settings.import_dir.mkdir(parents=True, exist_ok=True)
        scheduler.add_job(
            scheduler.tracked(sync_jobs.import_directory_job),
            "interval",
            minutes=settings.import_interval_minutes,
            args=(sessionmaker, DirectorySource(settings.import_dir, min_age=5.0), clock),
            id="import_dir",
            next_run_time=clock(),
            max_instances=1,
            coalesce=True,
        )
    if eis is not None:
        scheduler.add_job(
            scheduler.tracked(sync_jobs.eis_sync_job),
            "cron",
            hour=settings.eis_sync_hour,
            timezone=settings.default_timezone,
            args=(
                sessionmaker,
                eis,
                settings.eis_regions,
                settings.default_timezone,
                clock,
                EIS_DOWNLOADS,
            ),
            id="eis_sync",
            max_instances=1,
            coalesce=True,
        )
    if bot is not None:
        scheduler.add_job(
            scheduler.tracked(consult_jobs.sla_job),
            "interval",
            minutes=10,
            args=(sessionmaker, bot, clock),
            kwargs={
                "sla_hours": settings.consult_sla_hours,
                "admin_ids": settings.admin_ids,
                "consultant_ids": settings.consultant_ids,
            },
            id="consult_sla",
            max_instances=1,
            coalesce=True,
        )
    return scheduler
