"""Thin aiogram routers, one per feature. Order matters: the fallback router goes last."""

from __future__ import annotations

from aiogram import Router

from bot.telegram.prompts import Prompt
from handlers import (
    consult,
    errors,
    fallback,
    faq,
    glossary,
    inline,
    kb_admin,
    procurement,
    questions,
    reminders,
    settings,
    start,
    stats,
)


def get_routers() -> list[Router]:
    return [
        errors.build_router(),
        consult.build_router(),
        start.build_router(),
        faq.build_router(),
        glossary.build_router(),
        inline.build_router(),
        procurement.build_router(),
        stats.build_router(),
        reminders.build_router(),
        settings.build_router(),
        kb_admin.build_router(),
        questions.build_router(),
        fallback.build_router(),
    ]


def get_prompts() -> dict[str, Prompt]:
    """The input modes (FSM state → prompt) that InputModeMiddleware leaves on a command,
    another button or a typed «Отмена»."""
    modes = (settings.INPUT_PROMPTS, procurement.INPUT_PROMPTS, stats.INPUT_PROMPTS)
    return {state: prompt for mode in modes for state, prompt in mode.items() if state}
