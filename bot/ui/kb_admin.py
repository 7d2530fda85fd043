"""Consultants' knowledge-base screens: preview of an upload, results, history, gaps."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.gaps import Gap
from bot.services.kb_store.versions import VersionInfo
from bot.ui.answers import OutMessage
from bot.ui.callbacks import KbCB, KbOp
from bot.ui.render import TEMPLATES_DIR, render
from knowledge.figures import FigureProblem
from knowledge.loader import Article
from knowledge.markdown import split_html

PREVIEW_BODY = 2500


MAX_FIGURE_NOTES = 10


def preview_message(
    article: Article, current_version: int | None, figures: Sequence[FigureProblem] = ()
) -> OutMessage:
    """The upload's preview; `figures` the figures not found in the 44-ФЗ part they cite,
    shown as warnings above the article (publishing stays possible: knowledge.figures)."""
    chunks = split_html(article.html, PREVIEW_BODY)
    excerpt = chunks[0] + ("\n\n…" if len(chunks) > 1 else "")
    text = render(
        "kb/preview",
        article=article,
        current_version=current_version,
        excerpt=excerpt,
        figures=list(figures[:MAX_FIGURE_NOTES]),
        more_figures=max(0, len(figures) - MAX_FIGURE_NOTES),
    )
    return OutMessage(text, publish_keyboard())


def publish_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="✅ Опубликовать", callback_data=KbCB(op=KbOp.PUBLISH))
    builder.button(text="Отмена", callback_data=KbCB(op=KbOp.CANCEL))
    builder.adjust(2)
    return builder.as_markup()


def rejected_text(detail: str) -> str:
    problems = [line.strip() for line in detail.splitlines() if line.strip()]
    return render("kb/rejected", problems=problems[:30])


def history_text(article_id: str, versions: list[VersionInfo]) -> str:
    return render("kb/history", article_id=article_id, versions=versions[:30])


def gaps_text(gaps: list[Gap]) -> str:
    return render("kb/gaps", gaps=gaps)


def draft_article(number: int, question: str, answers: list[str], author: str, today: str) -> str:
    """A draft `.md` from a consultation: the consultant picks the section, adds the
    citations, edits the text and uploads it back (it is validated then, not now)."""
    from jinja2 import Environment

    flat = " ".join(question.split())
    env = Environment(autoescape=False, keep_trailing_newline=True)  # Markdown, not HTML
    template = env.from_string((TEMPLATES_DIR / "kb" / "draft.md.j2").read_text("utf-8"))
    quoted = flat.replace("\\", " ").replace('"', "'")
    return template.render(
        number=number,
        title=quoted[:120],
        question=quoted[:300],
        author=author.replace('"', "'"),
        today=today,
        body="\n\n".join(a.strip() for a in answers if a.strip()) or "Текст ответа.",
    )
