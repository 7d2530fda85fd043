"""Knowledge-base gaps: questions the bot could not answer or whose answer got 👎, grouped
by similarity so consultants see what to write next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.text import lemmas
from models import QuestionLog

SIMILAR = 70.0  # token-set similarity of lemmatised questions, 0..100
SCAN = 1000  # the most recent unanswered / disliked questions considered
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class Gap:
    count: int
    examples: tuple[str, ...]
    last_at: datetime
    disliked: int  # how many of them got 👎 (the rest had no answer)


@dataclass
class _Cluster:
    key: str
    questions: list[str]
    last_at: datetime
    disliked: int


async def find_gaps(session: AsyncSession, *, limit: int = 10) -> list[Gap]:
    rows = (
        await session.execute(
            select(QuestionLog.question, QuestionLog.created_at, QuestionLog.feedback)
            .where(
                QuestionLog.outcome != "off_topic",
                QuestionLog.question != "",  # erased (/forget) or past its retention
                or_(QuestionLog.answered.is_(False), QuestionLog.feedback == -1),
            )
            .order_by(QuestionLog.created_at.desc(), QuestionLog.id.desc())
            .limit(SCAN)
        )
    ).all()
    clusters: list[_Cluster] = []
    keys: list[str] = []
    for question, created_at, feedback in rows:
        key = " ".join(sorted(set(lemmas(question))))
        if not key:
            continue
        match = process.extractOne(key, keys, scorer=fuzz.token_set_ratio, score_cutoff=SIMILAR)
        if match is not None:
            best = clusters[match[2]]
            best.questions.append(question)
            best.disliked += feedback == -1
            continue
        clusters.append(_Cluster(key, [question], created_at, int(feedback == -1)))
        keys.append(key)
    clusters.sort(key=lambda c: (-len(c.questions), -c.last_at.timestamp()))
    return [
        Gap(
            len(c.questions),
            tuple(dict.fromkeys(q.strip()[:200] for q in c.questions))[:EXAMPLES],
            c.last_at,
            c.disliked,
        )
        for c in clusters[:limit]
    ]
