"""/stats and the «📊 Статистика» menu button: a summary, a chart photo and a CSV export."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime
from functools import cache

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.services import Clock, Session
from bot.services.errors import BadInput
from bot.services.stats.cache import get_stats
from bot.services.stats.period import Period, StatsQuery, make_period, parse_date
from bot.services.stats.regions import ALL, parse_region
from bot.services.stats.result import Stats
from bot.services.users import UserInfo
from bot.telegram.callbacks import PRE, Answer
from bot.telegram.prompts import Prompt
from bot.ui.callbacks import MenuCB, MenuItem, StatsCB, StatsOp
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


class StatsForm(StatesGroup):
    period = State()  # «📅 Свой период»: the next message is the period (region optional)


INPUT_PROMPTS = {StatsForm.period.state: Prompt("period")}
KIND_WORDS = {
    "месяц": "month", "month": "month", "м": "month",
    "квартал": "quarter", "quarter": "quarter", "к": "quarter",
    "год": "year", "year": "year", "г": "year",
}  # fmt: skip
_REGION_RE = re.compile(r"\d{1,2}|all|вся|все|россия|рф|\*", re.I)


MONTH_WORDS = {
    name: n
    for n, names in enumerate(
        (
            ("январь", "янв"), ("февраль", "фев"), ("март", "мар"), ("апрель", "апр"),
            ("май", "мая"), ("июнь", "июн"), ("июль", "июл"), ("август", "авг"),
            ("сентябрь", "сен", "сент"), ("октябрь", "окт"), ("ноябрь", "ноя", "нояб"),
            ("декабрь", "дек"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH_FORMS = re.compile(
    r"(январ|феврал|март|апрел|июн|июл|август|сентябр|октябр|ноябр|декабр)[ьяеи]?"
)
_REGION_WORDS = {"область", "обл", "край", "республика", "респ", "ао", "округ", "автономный"}


@cache
def _region_names() -> dict[str, str]:
    """Lower-case region names and their distinctive first words («челябинская») → code."""
    from bot.services.stats.regions import REGIONS

    names: dict[str, str] = {}
    first: dict[str, list[str]] = {}
    for code, name in REGIONS.items():
        low = name.lower().replace("ё", "е")
        names[low] = code
        for word in re.findall(r"[а-я-]+", low):
            if word not in _REGION_WORDS:
                first.setdefault(word, []).append(code)
    names.update({w: codes[0] for w, codes in first.items() if len(codes) == 1 and len(w) > 3})
    # «челябинск», «новосибирск», «омск»: the adjective's stem, as people name the region by
    # its capital, when it points at one region only
    stems: dict[str, set[str]] = {}
    for word, codes in first.items():
        if len(codes) == 1 and word.endswith(("ская", "ский")):
            stems.setdefault(word[:-2], set()).add(codes[0])
    names.update({s: next(iter(c)) for s, c in stems.items() if len(c) == 1 and len(s) >= 4})
    return names


def _take_region(tokens: list[str], home_region: str | None) -> str | None:
    """A leading code or region name («74», «челябинская область», «Москва»); pops it."""
    if tokens and _REGION_RE.fullmatch(tokens[0]):
        return parse_region(tokens.pop(0), home_region)
    names = _region_names()
    for size in (4, 3, 2, 1):
        words = [t.lower().replace("ё", "е") for t in tokens[:size]]
        if len(words) < size:
            continue
        meaningful = [w for w in words if w not in _REGION_WORDS and w != "обл."]
        key = " ".join(words)
        code = names.get(key) or (
            names.get(meaningful[0]) if len(meaningful) == 1 and meaningful[0] in names else None
        )
        if code is not None:
            del tokens[:size]
            return code
    return home_region


def _month(word: str) -> int | None:
    low = word.lower().rstrip(".")
    if low in MONTH_WORDS:
        return MONTH_WORDS[low]
    m = _MONTH_FORMS.fullmatch(low)  # «ноября», «марте»
    if m is None:
        return None
    stem = m.group(1)
    return next((n for w, n in MONTH_WORDS.items() if w.startswith(stem) and len(w) > 3), None)


def _named(period: Period) -> Period:
    """A whole month, quarter or year typed as dates is shown as one («2026 год»)."""
    start, end = period.start, period.end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return Period(start, end, "year")
    if (
        start.day == 1
        and start.year == end.year
        and end == parse_date(f"{end.year}-{end.month:02d}", end=True)
    ):
        if start.month == end.month:
            return Period(start, end, "month")
        if end.month - start.month == 2 and start.month % 3 == 1:
            return Period(start, end, "quarter")
    return period


def parse_args(args: str, home_region: str | None, today: date) -> StatsQuery:
    """'/stats [region] [месяц|квартал|год | YEAR | МЕСЯЦ [YEAR] | YYYY-MM | DATE [DATE]]';
    a region is a code or a name («челябинская область»), a month a word («ноябрь»)."""
    tokens = [t for t in args.replace(",", " ").split() if t.lower() not in {"в", "за"}]
    region = _take_region(tokens, home_region)
    if not tokens:
        return StatsQuery(region, make_period("year", today))
    if len(tokens) == 1 and tokens[0].lower() in KIND_WORDS:
        return StatsQuery(region, make_period(KIND_WORDS[tokens[0].lower()], today))
    if len(tokens) == 2 and tokens[0].isdigit() and _month(tokens[1]) is not None:
        tokens.reverse()  # «2026 ноябрь» as «ноябрь 2026»
    month = _month(tokens[0])
    if month is not None and len(tokens) <= 2:
        year = int(tokens[1]) if len(tokens) == 2 and tokens[1].isdigit() else today.year
        if len(tokens) == 2 and not tokens[1].isdigit():
            raise BadInput(f"Не понял год «{tokens[1][:20]}»: пишите, например, «ноябрь 2026».")
        if len(tokens) == 1 and month > today.month:
            year -= 1  # «декабрь» in November: the last one that was
        start = date(year, month, 1)
        end = parse_date(f"{year}-{month:02d}", end=True)
    elif len(tokens) == 1:
        start, end = parse_date(tokens[0]), parse_date(tokens[0], end=True)
    elif len(tokens) == 2:
        start, end = parse_date(tokens[0]), parse_date(tokens[1], end=True)
    else:
        raise BadInput("Слишком много слов: нужны регион и период.")
    return StatsQuery(region, _named(make_period("custom", today, start, end)))


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
        start = datetime.strptime(data.a, "%Y%m%d").date()  # noqa: DTZ007  (only the date is kept)
        end = datetime.strptime(data.b, "%Y%m%d").date()  # noqa: DTZ007  (only the date is kept)
    except ValueError:
        raise BadInput("Кнопка устарела: отправьте /stats ещё раз.") from None
    return StatsQuery(region, _named(make_period("custom", today, start, end)))


async def on_custom(
    query: CallbackQuery, callback_data: StatsCB, state: FSMContext, user: UserInfo
) -> None:
    """«Свой период»: the next message is the period, for the region of the summary."""
    region = callback_data.r if callback_data.r != ALL else None
    await state.set_state(StatsForm.period)
    await state.update_data(stats_region=region or ALL)
    if isinstance(query.message, Message):
        shown = region or ALL
        await query.message.answer(render("stats/custom_prompt", region=shown, home=user.region))


async def on_period_text(
    message: Message, session: Session, state: FSMContext, user: UserInfo, clock: Clock
) -> None:
    """The period typed after «Свой период»: «01.11.2026 30.11.2026», «ноябрь 2026»."""
    now = clock()
    data = await state.get_data()
    region = str(data.get("stats_region") or user.region)
    query = parse_args((message.text or "")[:MAX_ARGS], parse_region(region), now.date())
    await state.set_state(None)
    await send_stats(message, await get_stats(session, query, now), user)


async def _stats_of(data: StatsCB, session: Session, clock: Clock) -> Stats:
    now = clock()
    return await get_stats(session, _query_of(data, now.date()), now)


async def on_show(
    query: CallbackQuery,
    callback_data: StatsCB,
    session: Session,
    user: UserInfo,
    clock: Clock,
    callback_answer: Answer,
) -> None:
    if isinstance(query.message, Message):
        stats = await _stats_of(callback_data, session, clock)
        await callback_answer.now()  # not after the chart
        await send_stats(query.message, stats, user)


async def on_csv(
    query: CallbackQuery, callback_data: StatsCB, session: Session, clock: Clock
) -> None:
    if isinstance(query.message, Message):
        stats = await _stats_of(callback_data, session, clock)
        await query.message.answer_document(csv_document(stats), caption=csv_caption(stats))


async def on_menu_stats(
    query: CallbackQuery, session: Session, user: UserInfo, clock: Clock
) -> None:
    if isinstance(query.message, Message):
        now = clock()
        period: Period = make_period("year", now.date())
        stats = await get_stats(session, StatsQuery(user.region, period), now)
        await send_stats(query.message, stats, user)


def build_router() -> Router:
    router = Router(name="stats")
    router.message.register(cmd_stats, F.chat.type == "private", Command("stats"))
    router.message.register(
        on_period_text,
        F.chat.type == "private",
        F.text,
        ~F.text.startswith("/"),
        StateFilter(StatsForm.period),
    )
    router.callback_query.register(on_custom, StatsCB.filter(F.op == StatsOp.CUSTOM))
    router.callback_query.register(on_show, StatsCB.filter(F.op == StatsOp.SHOW))
    router.callback_query.register(on_csv, StatsCB.filter(F.op == StatsOp.CSV))
    router.callback_query.register(
        on_menu_stats, MenuCB.filter(F.item == MenuItem.STATS), flags=PRE
    )
    return router
