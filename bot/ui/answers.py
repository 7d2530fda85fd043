"""Answers and articles as Telegram messages: text from templates plus keyboards."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.answers import MAX_QUESTION, Answer, ArticleRef, ArticleView
from bot.ui.answer_text import answer_texts, article_texts
from bot.ui.callbacks import (
    AboutOp,
    ArticleCB,
    AskAboutCB,
    FaqCB,
    FeedbackCB,
    MenuCB,
    MenuItem,
    consult_data,
)
from bot.ui.render import render

CONSULT_LABEL = "🧑‍💼 Спросить консультанта"
PAGE_SIZE = 8
MAX_ARTICLE_BUTTONS = 4  # other articles under an answer


@dataclass(frozen=True, slots=True)
class OutMessage:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _ref_button(ref: ArticleRef, log_id: int) -> InlineKeyboardButton:
    return _button(f"📄 {_short(ref.title)}", ArticleCB(id=ref.id, q=log_id))


# Keyboards under answers are built row by row: InlineKeyboardBuilder deep-copies its whole
# markup on every button added (quadratic; about a third of the reply path's CPU in a profile).
def article_messages(
    view: ArticleView, log_id: int = 0, others: tuple[ArticleRef, ...] = ()
) -> list[OutMessage]:
    """The article split into messages; the keyboard goes under the last one. `others` are
    the next articles the search found for the question (offered after the related ones)."""
    texts = article_texts(view)
    n = len(texts)
    rows: list[list[InlineKeyboardButton]] = []
    if log_id:
        rows.append(
            [
                _button("👍 Помогло", FeedbackCB(q=log_id, v=1)),
                _button("👎 Не помогло", FeedbackCB(q=log_id, v=-1)),
            ]
        )
    shown = {view.id}
    refs: list[ArticleRef] = []
    for ref in (*others, *view.related):  # what the search found next, then related
        if ref.id not in shown and len(refs) < MAX_ARTICLE_BUTTONS:
            shown.add(ref.id)
            refs.append(ref)
    rows += [[_ref_button(ref, log_id)] for ref in refs]
    if log_id:  # the consultant sees the question and the article
        about = consult_data(AskAboutCB(op=AboutOp.ANSWER, q=log_id))
    else:
        about = consult_data(AskAboutCB(op=AboutOp.ARTICLE, n=view.id))
    rows.append([_button(CONSULT_LABEL, about)])
    keyboard = InlineKeyboardMarkup(inline_keyboard=rows)
    return [OutMessage(t, keyboard if i == n - 1 else None) for i, t in enumerate(texts)]


def _refs_keyboard(refs: tuple[ArticleRef, ...], log_id: int) -> InlineKeyboardMarkup:
    rows = [[_ref_button(ref, log_id)] for ref in refs]
    about: AskAboutCB | MenuCB = MenuCB(item=MenuItem.CONSULT)
    if log_id:  # the consultant sees the question the bot could not answer
        about = AskAboutCB(op=AboutOp.ANSWER, q=log_id)
    rows.append([_button(CONSULT_LABEL, about)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _long_keyboard() -> InlineKeyboardMarkup:
    """Under «сообщение очень длинное»: send that text to a consultant as it is."""
    builder = InlineKeyboardBuilder()
    builder.button(text=CONSULT_LABEL, callback_data=AskAboutCB(op=AboutOp.LONG))
    return builder.as_markup()


def answer_messages(answer: Answer, log_id: int = 0) -> list[OutMessage]:
    if answer.outcome == "answer" and answer.article is not None:
        return article_messages(answer.article, log_id, answer.alternatives)
    keyboard: InlineKeyboardMarkup | None = None
    if answer.outcome in ("suggest", "definition"):
        keyboard = _refs_keyboard(answer.alternatives, log_id)
    elif answer.outcome == "too_long":
        text = render(
            "common/too_long", length=len(answer.question), limit=MAX_QUESTION, consult=True
        )
        return [OutMessage(text, _long_keyboard())]
    elif answer.outcome not in ("small_talk", "empty"):
        keyboard = _refs_keyboard((), log_id)
    return [OutMessage(text, keyboard) for text in answer_texts(answer)]


def faq_sections(sections: list[tuple[str, str, int]]) -> OutMessage:
    builder = InlineKeyboardBuilder()
    for key, title, count in sections:
        builder.button(text=f"{title} ({count})", callback_data=FaqCB(s=key, p=0))
    builder.adjust(2)
    total = sum(c for _, _, c in sections)
    return OutMessage(render("faq/sections", total=total), builder.as_markup())


def faq_section(title: str, key: str, refs: list[ArticleRef], page: int) -> OutMessage:
    pages = max(1, -(-len(refs) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    builder = InlineKeyboardBuilder()
    for ref in refs[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        builder.button(text=_short(ref.title), callback_data=ArticleCB(id=ref.id))
    nav = []
    if page > 0:
        builder.button(text="◀️ Назад", callback_data=FaqCB(s=key, p=page - 1))
        nav.append(1)
    if page < pages - 1:
        builder.button(text="Вперёд ▶️", callback_data=FaqCB(s=key, p=page + 1))
        nav.append(1)
    builder.button(text="☰ Разделы", callback_data=FaqCB(s="", p=0))
    shown = len(refs[page * PAGE_SIZE : (page + 1) * PAGE_SIZE])
    builder.adjust(*([1] * shown), max(1, len(nav)), 1)
    text = render("faq/section", title=title, count=len(refs), page=page, pages=pages)
    return OutMessage(text, builder.as_markup())
