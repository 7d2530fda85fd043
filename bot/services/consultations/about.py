"""What a consultation is about: the procedure or contract card «Вопрос консультанту» was
pressed under, or the bot's answer «Спросить консультанта» was pressed under (the user's
question and the article shown). Kept as JSON in `consultations.about`; /forget erases it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Contract, Procedure, QuestionLog

# the card keeps within Telegram's 4096 characters: these, the header and CARD_QUESTION
TITLE_LIMIT = 250
QUESTION_LIMIT = 500


class AboutKind(StrEnum):
    PROCEDURE = "procedure"
    CONTRACT = "contract"
    ANSWER = "answer"  # the bot's answer to `question` (from `article_id`, if any)


@dataclass(frozen=True, slots=True)
class About:
    kind: AboutKind
    number: str = ""  # procedure or contract number
    title: str = ""  # procedure title, or the contract's customer
    question: str = ""  # what the user asked the bot
    article_id: str = ""
    article_title: str = ""

    def dump(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def load(cls, raw: object) -> About | None:
        """From the column or FSM data; None for anything unreadable."""
        if not isinstance(raw, str) or not raw:
            return None
        try:
            data = json.loads(raw)
            return cls(
                kind=AboutKind(data["kind"]),
                **{k: str(data.get(k) or "") for k in ("number", "title", "question")},
                article_id=str(data.get("article_id") or ""),
                article_title=str(data.get("article_title") or ""),
            )
        except (ValueError, KeyError, TypeError):
            return None


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def card_about(session: AsyncSession, kind: AboutKind, number: str) -> About:
    """The procedure or contract card by its number (just the number when it is unknown)."""
    if kind is AboutKind.PROCEDURE:
        title = await session.scalar(select(Procedure.title).where(Procedure.number == number))
    else:
        title = await session.scalar(
            select(Contract.customer_name).where(Contract.number == number)
        )
    return About(kind, number=number, title=_cut(title or "", TITLE_LIMIT))


async def answer_about(
    session: AsyncSession, log_id: int, user_id: int, title_of: Callable[[str], str]
) -> About | None:
    """The user's own logged question and the article answered (`title_of`: an article's
    title, from the knowledge base); None when the row is not theirs or its text is gone."""
    row = await session.get(QuestionLog, log_id)
    if row is None or row.user_id != user_id or not row.question:
        return None
    article_id = row.chosen_article_id or row.article_id or ""
    return About(
        AboutKind.ANSWER,
        question=_cut(row.question, QUESTION_LIMIT),
        article_id=article_id,
        article_title=_cut(title_of(article_id) if article_id else "", TITLE_LIMIT),
    )


def article_about(article_id: str, title: str) -> About:
    """An article opened without a logged question (from the FAQ)."""
    return About(AboutKind.ANSWER, article_id=article_id, article_title=_cut(title, TITLE_LIMIT))
