"""Reminder, digest and update messages; the subscriptions list; the settings screen."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.reminders.due import DueEvent, DueReminder
from bot.services.reminders.prefs import Prefs
from bot.services.reminders.subscriptions import Subscribed, SubscriptionView
from bot.ui.answers import OutMessage
from bot.ui.callbacks import ArticleCB, ProcCB, ProcOp, SetCB, SetOp, SubCB, SubOp
from bot.ui.procurement import filters_text
from bot.ui.render import ZONE_NAMES, plural, render

LIST_PAGE = 5
EVENT_PHRASES = {
    "applications_end": "заканчивается подача заявок",
    "auction": "проводятся торги",
    "summarizing": "подводятся итоги",
    "stage_end": "заканчивается этап {n}",
    "execution_end": "заканчивается срок исполнения",
    "payment_due": "истекает срок оплаты (7 рабочих дней после приёмки)",
}
EVENT_LABELS = {
    "applications_end": "приём заявок до",
    "auction": "торги",
    "summarizing": "подведение итогов",
    "stage_end": "окончание этапа {n}",
    "execution_end": "окончание исполнения",
    "payment_due": "срок оплаты",
}
DEADLINE_NAMES = {
    "applications_end": "Срок подачи заявок",
    "auction": "Торги",
    "summarizing": "Подведение итогов",
    "stage_end": "Окончание этапа {n}",
    "execution_end": "Окончание исполнения",
    "payment_due": "Срок оплаты",
}


def _card_button(
    builder: InlineKeyboardBuilder, sub_kind: str, number: str, label: str = "📄 Открыть карточку"
) -> None:
    op = ProcOp.CARD if sub_kind == "procedure" else ProcOp.CCARD
    data = ProcCB(op=op, n=number).pack()
    if len(data.encode()) <= 64:
        builder.button(text=label, callback_data=data)


def reminder_message(due: DueReminder, now: datetime) -> OutMessage:
    """The text and buttons of one outbox row."""
    builder = InlineKeyboardBuilder()
    if due.kind == "digest":
        text = render("reminders/digest", searches=_searches(due.payload), tz=due.timezone)
        for search in due.payload.get("searches", [])[:3]:
            for item in search.get("items", [])[:2]:
                _card_button(builder, "procedure", item["number"])
        builder.adjust(1)
        return OutMessage(text, builder.as_markup() if builder.buttons else None)
    if due.kind == "news":
        text = render("reminders/news", title=str(due.payload.get("title", "")))
        article = str(due.payload.get("article_id", ""))
        if article and len(ArticleCB(id=article).pack().encode()) <= 64:
            builder.button(text="📖 Открыть статью", callback_data=ArticleCB(id=article))
        return OutMessage(text, builder.as_markup() if builder.buttons else None)
    if due.kind == "update":
        changes = [
            {
                "label": EVENT_LABELS.get(c["event"], c["event"]).format(n=c.get("no", 0)),
                "old": datetime.fromisoformat(c["old"]),
                "new": datetime.fromisoformat(c["new"]),
                "date_only": bool(c.get("date_only")),
            }
            for c in due.payload.get("changes", [])
        ]
        text = render(
            "reminders/update",
            cancelled=bool(due.payload.get("cancelled")),
            changes=changes,
            sub_kind=due.sub_kind,
            target=due.target,
            title=due.title,
            tz=due.timezone,
        )
    else:
        assert due.event_at is not None
        main = DueEvent(due.event, due.event_no, due.event_at, due.date_only)
        ahead = sorted(
            (e for e in (main, *due.also) if e.event_at > now or e is main),
            key=lambda e: e.event_at,
        )
        text = render(
            "reminders/deadline",
            events=[_deadline(e, now, due.timezone) for e in ahead],
            tz=due.timezone,
            sub_kind=due.sub_kind,
            target=due.target,
            title=due.title,
        )
    if due.target:
        _card_button(builder, due.sub_kind, due.target)
    if due.subscription_id and not due.payload.get("cancelled"):
        builder.button(
            text="🔕 Не напоминать", callback_data=SubCB(op=SubOp.OFF, id=due.subscription_id)
        )
    builder.adjust(2)
    return OutMessage(text, builder.as_markup() if builder.buttons else None)


def _deadline(e: DueEvent, now: datetime, tz: str) -> dict[str, Any]:
    """One deadline line of a reminder: how far, when, what."""
    return {
        "left": e.event_at - now,
        "event_at": e.event_at,
        "date_only": e.date_only,
        "days_left": _days_between(now, e.event_at, tz) if e.date_only else None,
        "phrase": EVENT_PHRASES.get(e.event, e.event).format(n=e.event_no),
    }


def _searches(payload: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for search in payload.get("searches", []):
        items = [
            item
            | {
                "max_price": Decimal(item["max_price"]) if item.get("max_price") else None,
                "applications_end": datetime.fromisoformat(item["applications_end"])
                if item.get("applications_end")
                else None,
            }
            for item in search.get("items", [])
        ]
        out.append(search | {"items": items})
    return out


WEEK_MINUTES = 7 * 1440


def lead_words(minutes: int) -> str:
    """A lead time exactly, not rounded, as it follows «за»: «1 неделю», «2 недели», «1 день»,
    «36 часов», «1 час 30 минут» (a whole number of weeks in weeks: «1w» is not «7 дней»)."""
    if minutes % WEEK_MINUTES == 0:
        weeks = minutes // WEEK_MINUTES
        return f"{weeks} {plural(weeks, 'неделю', 'недели', 'недель')}"
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} {plural(days, 'день', 'дня', 'дней')}"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} {plural(rest, 'минуту', 'минуты', 'минут')}"
    text = f"{hours} {plural(hours, 'час', 'часа', 'часов')}"
    return f"{text} {rest} {plural(rest, 'минуту', 'минуты', 'минут')}" if rest else text


def leads_words(leads: tuple[int, ...]) -> str:
    return ", ".join(lead_words(m) for m in leads)


def subscribed_message(result: Subscribed, tz: str) -> OutMessage:
    view = result.view
    if view.kind == "search":
        from bot.services.reminders.subscriptions import parse_filters_key

        f = parse_filters_key(view.filters)
        text = render(
            "reminders/search_saved",
            created=result.created,
            words=view.target,
            filters_text=filters_text(
                f.region,
                f.smp_only,
                str(int(f.max_price)) if f.max_price else None,
                f.accepting_only,
            ),
        )
    else:
        text = render(
            "reminders/subscribed",
            created=result.created,
            kind=view.kind,
            target=view.target,
            leads=leads_words(result.leads),
            next_due=result.next_due,
            tz=tz,
            catch_up=_catch_up(result, tz),
        )
    builder = InlineKeyboardBuilder()
    builder.button(text="🔔 Мои подписки", callback_data=SubCB(op=SubOp.PAGE, p=0))
    return OutMessage(text, builder.as_markup())


def _catch_up(result: Subscribed, tz: str) -> dict[str, Any] | None:
    """What the confirmation says when the first reminder is a catch-up: the deadline, how
    far it is, and the day of the reminder (0: today, 1: tomorrow)."""
    first, now = result.next, result.now
    if first is None or not first.asap or first.event_at is None or now is None:
        return None
    return {
        "name": DEADLINE_NAMES.get(first.event, first.event).format(n=first.event_no),
        "event_at": first.event_at,
        "date_only": first.date_only,
        "left": first.event_at - now,
        "days_left": _days_between(now, first.event_at, tz),
        "due_at": first.due_at,
        "due_day": _days_between(now, first.due_at, tz),
        "due_time": f"{first.due_at.astimezone(ZoneInfo(tz)):%H:%M}",
    }


def _filters_words(view: SubscriptionView) -> str:
    from bot.services.reminders.subscriptions import parse_filters_key

    f = parse_filters_key(view.filters)
    price = str(int(f.max_price)) if f.max_price is not None else None
    return filters_text(f.region, f.smp_only, price, f.accepting_only)


def subscriptions_message(
    items: list[SubscriptionView], total: int, page: int, tz: str
) -> OutMessage:
    if total == 0:
        return OutMessage(render("reminders/empty"))
    pages = max(1, -(-total // LIST_PAGE))
    shown = [
        {
            "kind": v.kind,
            "target": v.target,
            "title": v.title,
            "active": v.active,
            "next_due": v.next_due,
            "filters_text": _filters_words(v) if v.kind == "search" else "",
        }
        for v in items
    ]
    text = render("reminders/list", items=shown, total=total, offset=page * LIST_PAGE, tz=tz)
    builder = InlineKeyboardBuilder()
    rows: list[int] = []
    for i, v in enumerate(items, start=page * LIST_PAGE + 1):
        if v.active:
            builder.button(text=f"⏸ {i}", callback_data=SubCB(op=SubOp.PAUSE, id=v.id, p=page))
        else:
            builder.button(text=f"▶️ {i}", callback_data=SubCB(op=SubOp.RESUME, id=v.id, p=page))
        builder.button(text=f"🗑 {i}", callback_data=SubCB(op=SubOp.DEL, id=v.id, p=page))
        rows.append(2)
    nav = 0
    if page > 0:
        builder.button(text="◀️", callback_data=SubCB(op=SubOp.PAGE, p=page - 1))
        nav += 1
    if page < pages - 1:
        builder.button(text="▶️ дальше", callback_data=SubCB(op=SubOp.PAGE, p=page + 1))
        nav += 1
    builder.adjust(*rows, *([nav] if nav else []))
    return OutMessage(text, builder.as_markup())


def settings_message(prefs: Prefs, *, saved: bool = False) -> OutMessage:
    text = render("settings/show", prefs=prefs, leads=leads_words(prefs.leads), saved=saved)
    builder = InlineKeyboardBuilder()
    builder.button(text="⏰ Сроки", callback_data=SetCB(op=SetOp.LEAD))
    builder.button(text="🕰 Часовой пояс", callback_data=SetCB(op=SetOp.TZ))
    builder.button(text="🌙 Тихие часы", callback_data=SetCB(op=SetOp.QUIET))
    news = "📰 Новости: выключить" if prefs.news else "📰 Новости: включить"
    builder.button(text=news, callback_data=SetCB(op=SetOp.NEWS))
    builder.button(text="🗑 Удалить мои данные", callback_data=SetCB(op=SetOp.FORGET))
    builder.adjust(2, 2, 1)
    return OutMessage(text, builder.as_markup())


def forget_confirm_message() -> OutMessage:
    builder = InlineKeyboardBuilder()
    builder.button(text="🗑 Да, удалить", callback_data=SetCB(op=SetOp.FORGET_YES))
    builder.button(text="Отмена", callback_data=SetCB(op=SetOp.FORGET_NO))
    builder.adjust(2)
    return OutMessage(render("settings/forget_confirm"), builder.as_markup())


def timezone_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for zone, name in ZONE_NAMES.items():
        builder.button(text=name, callback_data=SetCB(op=SetOp.SETTZ, v=zone))
    builder.button(text="Отмена", callback_data=SetCB(op=SetOp.CANCEL))
    builder.adjust(3)
    return builder.as_markup()


def cancel_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="Отмена", callback_data=SetCB(op=SetOp.CANCEL))
    return builder.as_markup()


def toast(op: SubOp, target: str = "") -> str:
    return render("reminders/toast", op=op, target=target)


def contracts_message(items: list[SubscriptionView], total: int, tz: str) -> OutMessage:
    """«Мои контракты»: the contracts the user follows, each with its card button."""
    text = render("reminders/contracts", items=items, total=total, tz=tz)
    builder = InlineKeyboardBuilder()
    for view in items:
        _card_button(builder, "contract", view.target, f"📄 {view.target}")
    builder.button(text="🔔 Все подписки", callback_data=SubCB(op=SubOp.PAGE, p=0))
    builder.adjust(1)
    return OutMessage(text, builder.as_markup())


def _days_between(now: datetime, event_at: datetime, tz: str) -> int:
    """Calendar days from today to a date-only event in the user's zone (0: today)."""
    zone = ZoneInfo(tz)
    return (event_at.astimezone(zone).date() - now.astimezone(zone).date()).days
