"""Consultants edit the knowledge base from Telegram: upload a .md article (validated as by
`smebot kb check`, previewed, published on «Опубликовать» without a restart), /kb_edit,
/kb_history, /kb_rollback, /kb_gaps and /kb_announce. Staff only; others see nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from io import BytesIO

import aiohttp
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services import Clock, Session
from bot.services.answers import KnowledgeBase
from bot.services.consultations import get_consultation, messages_of
from bot.services.errors import BadInput, NotFound, Refused
from bot.services.gaps import find_gaps
from bot.services.kb_store.files import load_articles_from_db
from bot.services.kb_store.uploads import (
    decode_upload,
    figure_problems,
    publish,
    rollback,
    validate_upload,
)
from bot.services.kb_store.versions import ArticlesRejected, current_text, history
from bot.services.reminders.digests import queue_news
from bot.ui.callbacks import KbCB, KbOp
from bot.ui.kb_admin import draft_article, gaps_text, history_text, preview_message, rejected_text
from bot.ui.render import render
from bot.ui.roles_filter import IsStaff

log = logging.getLogger("smebot.kb_admin")
MAX_FILE = 256 * 1024


async def _reload(session: Session, kb: KnowledgeBase) -> None:
    articles = await load_articles_from_db(session)
    kb.replace_articles(articles, await asyncio.to_thread(kb.build_index, articles))


async def on_document(message: Message, bot: Bot, session: Session, state: FSMContext) -> None:
    document = message.document
    assert document is not None
    if not (document.file_name or "").lower().endswith((".md", ".markdown", ".txt")):
        raise BadInput("Статью присылайте файлом Markdown с расширением .md.")
    if (document.file_size or 0) > MAX_FILE:
        raise BadInput("Файл слишком большой для статьи (больше 256 КБ).")
    buffer = BytesIO()
    try:
        await bot.download(document, destination=buffer)
    except (aiohttp.ClientError, TimeoutError, TelegramAPIError) as exc:
        # the file URL carries the bot token: the log filter masks it, the user gets one line
        log.warning("article upload not downloaded: %s", exc)
        await message.answer(render("kb/download_failed"))
        return
    text = decode_upload(buffer.getvalue())
    try:
        article = await validate_upload(session, text)
    except ArticlesRejected as exc:
        await message.answer(rejected_text(exc.detail))
        return
    versions = []
    with contextlib.suppress(NotFound):  # a new article has no history yet
        versions = await history(session, article.id)
    current = next((v.version for v in versions if v.current and not v.is_deleted), None)
    await state.update_data(kb_upload=text)
    out = preview_message(article, current, await figure_problems(text))
    await message.answer(out.text, reply_markup=out.keyboard)


async def _take_upload(state: FSMContext) -> str | None:
    """The uploaded article waiting for «Опубликовать» / «Отмена»; either button uses it up."""
    text = (await state.get_data()).get("kb_upload")
    await state.update_data(kb_upload=None)
    return str(text) if text else None


async def on_cancel(
    _query: CallbackQuery, state: FSMContext, callback_answer: CallbackAnswer
) -> None:
    text = await _take_upload(state)
    callback_answer.text = render("kb/cancelled") if text else render("common/stale_button")


async def on_publish(
    query: CallbackQuery,
    session: Session,
    state: FSMContext,
    kb: KnowledgeBase,
    clock: Clock,
    callback_answer: CallbackAnswer,
) -> None:
    text = await _take_upload(state)
    if text is None:
        callback_answer.text = render("common/stale_button")
        return
    try:
        result = await publish(session, text, f"tg:{query.from_user.id}", clock())
    except ArticlesRejected as exc:
        if isinstance(query.message, Message):
            await query.message.answer(rejected_text(exc.detail))
        return
    await _reload(session, kb)
    announced = None
    if result.changed and result.article.announce:
        announced = await queue_news(
            session, result.article.id, result.article.title, result.version, clock()
        )
    if isinstance(query.message, Message):
        await query.message.answer(
            render(
                "kb/published",
                changed=result.changed,
                title=result.article.title,
                version=result.version,
                announced=announced,
            )
        )


def _args(command: CommandObject, name: str, count: int) -> list[str]:
    parts = (command.args or "").split()
    if len(parts) != count:
        raise BadInput(render("kb/usage", command=name))
    return parts


async def cmd_kb_edit(message: Message, command: CommandObject, session: Session) -> None:
    (article_id,) = _args(command, "kb_edit", 1)
    path, text = await current_text(session, article_id)
    name = path.rsplit("/", 1)[-1] or f"{article_id}.md"
    await message.answer_document(
        BufferedInputFile(text.encode("utf-8"), filename=name),
        caption=render("kb/edit_caption", article_id=article_id),
    )


async def cmd_kb_history(message: Message, command: CommandObject, session: Session) -> None:
    (article_id,) = _args(command, "kb_history", 1)
    await message.answer(history_text(article_id, await history(session, article_id)))


async def cmd_kb_rollback(
    message: Message, command: CommandObject, session: Session, kb: KnowledgeBase, clock: Clock
) -> None:
    article_id, version = _args(command, "kb_rollback", 2)
    if not version.isdigit():
        raise BadInput(render("kb/usage", command="kb_rollback"))
    assert message.from_user is not None
    try:
        result = await rollback(
            session, article_id, int(version), f"tg:{message.from_user.id}", clock()
        )
    except ArticlesRejected as exc:
        await message.answer(rejected_text(exc.detail))
        return
    await _reload(session, kb)
    await message.answer(
        render(
            "kb/published",
            changed=result.changed,
            title=result.article.title,
            version=result.version,
            announced=None,
        )
    )


async def cmd_kb_announce(
    message: Message, command: CommandObject, session: Session, kb: KnowledgeBase, clock: Clock
) -> None:
    (article_id,) = _args(command, "kb_announce", 1)
    article = kb.articles.get(article_id)
    if article is None:
        raise NotFound(f"Статьи {article_id} нет в базе знаний.")
    versions = await history(session, article_id)
    version = next(v.version for v in versions if v.current)
    count = await queue_news(session, article.id, article.title, version, clock())
    await message.answer(render("kb/announced", title=article.title, count=count))


async def cmd_kb_from(
    message: Message, command: CommandObject, session: Session, clock: Clock
) -> None:
    (number,) = _args(command, "kb_from", 1)
    if not number.lstrip("№#").isdigit():
        raise BadInput(render("kb/usage", command="kb_from"))
    consultation = await get_consultation(session, int(number.lstrip("№#")))
    answers = [
        m.text for m in await messages_of(session, consultation.id) if m.direction == "consultant"
    ]
    if not answers:
        raise Refused(f"В консультации № {consultation.id} ещё нет ответа консультанта.")
    assert message.from_user is not None
    text = draft_article(
        consultation.id,
        consultation.question,
        answers,
        message.from_user.full_name,
        clock().date().isoformat(),
    )
    await message.answer_document(
        BufferedInputFile(
            text.encode("utf-8"), filename=f"draft-consultation-{consultation.id}.md"
        ),
        caption=render("kb/draft_caption", number=consultation.id),
    )


async def cmd_kb_gaps(message: Message, session: Session) -> None:
    await message.answer(gaps_text(await find_gaps(session)))


async def cmd_kb_help(message: Message) -> None:
    await message.answer(render("kb/usage", command="kb"))


# what this router's handlers take (Command reads the text or the caption)
STAFF_INPUT = F.document | F.text.startswith("/") | F.caption.startswith("/")


def build_router() -> Router:
    router = Router(name="kb_admin")
    # the cheap checks first: only a document or a command asks the database for the role
    router.message.filter(F.chat.type == "private", STAFF_INPUT, IsStaff())
    router.callback_query.filter(IsStaff())
    router.message.register(on_document, F.document)
    router.message.register(cmd_kb_edit, Command("kb_edit"))
    router.message.register(cmd_kb_history, Command("kb_history"))
    router.message.register(cmd_kb_rollback, Command("kb_rollback"))
    router.message.register(cmd_kb_announce, Command("kb_announce"))
    router.message.register(cmd_kb_gaps, Command("kb_gaps"))
    router.message.register(cmd_kb_from, Command("kb_from"))
    router.message.register(cmd_kb_help, Command("kb"))
    router.callback_query.register(on_publish, KbCB.filter(F.op == KbOp.PUBLISH))
    router.callback_query.register(on_cancel, KbCB.filter(F.op == KbOp.CANCEL))
    return router
