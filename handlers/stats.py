"""/stats and the «📊 Статистика» menu button: a summary, a chart photo and a CSV export."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.services import Clock, Session
from bot.services.errors import BadInput
from bot.services.stats import (
    ALL,
    Period,
    Stats,
    StatsQuery,
    get_stats,
    make_period,
    parse_date,
    parse_region,
)
from bot.services.users import UserInfo
from bot.ui.callbacks import MenuCB, StatsCB
from bot.ui.charts import stats_chart
from bot.ui.render import render
from bot.ui.stats import (
    CODE_KINDS,
    csv_caption,
    csv_document,
    stats_caption,
    stats_keyboard,
    stats_text,
)

MAX_ARGS = 200
KIND_WORDS = {
    "месяц": "month", "month": "month", "м": "month",
    "квартал": "quarter", "quarter": "quarter", "к": "quarter",
    "год": "year", "year": "year", "г": "year",
}  # fmt: skip
_REGION_RE = re.compile(r"\d{1,2}|all|вся|все|россия|рф|\*", re.I)


def parse_args(args: str, home_region: str, today: date) -> StatsQuery:
    """'/stats [region] [месяц|квартал|год | YEAR | YYYY-MM | DATE [DATE]]'."""
    tokens = args.split()
    region: str | None = home_region
    if tokens and _REGION_RE.fullmatch(tokens[0]):
        region = parse_region(tokens.pop(0), home_region)
    if not tokens:
        return StatsQuery(region, make_period("year", today))
    if len(tokens) == 1 and tokens[0].lower() in KIND_WORDS:
        return StatsQuery(region, make_period(KIND_WORDS[tokens[0].lower()], today))
    if len(tokens) == 1:
        start, end = parse_date(tokens[0]), parse_date(tokens[0], end=True)
    elif len(tokens) == 2:
        start, end = parse_date(tokens[0]), parse_date(tokens[1], end=True)
    else:
        raise BadInput("Слишком много слов: нужны регион и период.")
    return StatsQuery(region, make_period("custom", today, start, end))


async def send_stats(message: Message, stats: Stats, user: UserInfo) -> None:
    """A chart photo with a short caption, then the summary with the buttons; an empty
    period gets only the «нет данных» text."""
    keyboard = stats_keyboard(stats, user.region)
    if not stats.empty:
        png = await asyncio.to_thread(stats_chart, stats)
        await message.answer_photo(
            BufferedInputFile(png, filename="stats.png"), caption=stats_caption(stats)
        )
    await message.answer(stats_text(stats), reply_markup=keyboard)


async def cmd_stats(
    message: Message, command: CommandObject, session: Session, user: UserInfo, clock: Clock
) -> None:
    now = clock()
    try:
        query = parse_args((command.args or "")[:MAX_ARGS], user.region, now.date())
    except BadInput as exc:
        await message.answer(render("stats/usage", detail=exc.detail))
        return
    stats = await get_stats(session, query, now)
    await send_stats(message, stats, user)


def _query_of(data: StatsCB, today: date) -> StatsQuery:
    region = None if data.r == ALL else parse_region(data.r)
    kind = CODE_KINDS.get(data.p)
    if kind is None:
        raise BadInput("Кнопка устарела: отправьте /stats ещё раз.")
    if kind != "custom":
        return StatsQuery(region, make_period(kind, today))
    try:
        start = datetime.strptime(data.a, "%Y%m%d").date()
        end = datetime.strptime(data.b, "%Y%m%d").date()
    except ValueError:
        raise BadInput("Кнопка устарела: отправьте /stats ещё раз.") from None
    return StatsQuery(region, make_period("custom", today, start, end))


async def on_stats_button(
    query: CallbackQuery, callback_data: StatsCB, session: Session, user: UserInfo, clock: Clock
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    if callback_data.op == "custom":
        await query.answer()
        region = callback_data.r if callback_data.r != ALL else user.region
        await message.answer(render("stats/custom_prompt", region=region))
        return
    now = clock()
    request = _query_of(callback_data, now.date())
    stats = await get_stats(session, request, now)
    if callback_data.op == "csv":
        await query.answer()
        await message.answer_document(csv_document(stats), caption=csv_caption(stats))
        return
    await query.answer()
    await send_stats(message, stats, user)


async def on_menu_stats(
    query: CallbackQuery, session: Session, user: UserInfo, clock: Clock
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        now = clock()
        period: Period = make_period("year", now.date())
        stats = await get_stats(session, StatsQuery(user.region, period), now)
        await send_stats(query.message, stats, user)


def build_router() -> Router:
    router = Router(name="stats")
    router.message.register(cmd_stats, F.chat.type == "private", Command("stats"))
    router.callback_query.register(on_stats_button, StatsCB.filter())
    router.callback_query.register(on_menu_stats, MenuCB.filter(F.item == "stats"))
    return router
