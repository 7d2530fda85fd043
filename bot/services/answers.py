"""Answering questions from the curated knowledge base; logging questions and feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.definitions import defined_term, is_about
from bot.services.errors import Forbidden, NotFound
from knowledge.decision import SearchResult
from knowledge.glossary import Glossary, Term
from knowledge.loader import SECTIONS, Article, load_articles
from knowledge.markdown import split_html
from knowledge.search import SearchIndex
from knowledge.text import is_meaningless, lemma, words
from models import QuestionLog

MAX_QUESTION = 1000
CHUNK = 3500  # room for the header and the citations around a body chunk
OTHERS = 0.25  # least confidence of another article offered under an answer
# Greetings, thanks and goodbyes (lemmas): a message of these words only is small talk, even
# when the search drops them as stop words («привет», «спасибо большое», «добрый день»).
SMALL_TALK_KINDS: dict[str, frozenset[str]] = {
    "thanks": frozenset({"спасибо", "спс", "благодарить", "благодарю", "thanks", "thank"}),
    "bye": frozenset({"пока", "свидание", "bye", "goodbye"}),
    "hello": frozenset(
        {"привет", "здравствуй", "здравствуйте", "добрый", "hi", "hello", "салют", "хай"}
    ),
}
SMALL_TALK_FILLER = frozenset(
    {"день", "утро", "вечер", "большой", "огромный", "вам", "тебе", "вы", "ты", "до", "всё",
     "за", "помощь", "очень", "ок", "ok", "хорошо", "ладно", "понятно", "ясно", "бот",
     "подсказать", "пожалуйста", "помочь", "можно", "сказать", "у", "я", "меня", "есть",
     "вопрос", "please"}
)  # fmt: skip


def small_talk_kind(text: str) -> str | None:
    """ "hello", "thanks" or "bye" when `text` is only a greeting, thanks or goodbye."""
    lemmas = [lemma(w) for w in words(text)]
    if not lemmas or len(lemmas) > 6:
        return None
    found = [k for k, vocabulary in SMALL_TALK_KINDS.items() if vocabulary & set(lemmas)]
    known = set().union(*SMALL_TALK_KINDS.values(), SMALL_TALK_FILLER)
    # a number beside a greeting («привет 14») is no question either
    if not found or not all(t in known or t.isdigit() for t in lemmas):
        return None
    return found[0]


@dataclass(frozen=True, slots=True)
class ArticleRef:
    id: str
    title: str
    section: str
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class ArticleView:
    """Everything a template needs to show an article."""

    id: str
    title: str
    section: str
    section_title: str
    chunks: tuple[str, ...]  # Telegram HTML of the body, split on paragraph boundaries
    laws: tuple[str, ...]
    applies_to: str
    updated: date
    reviewed_by: str
    related: tuple[ArticleRef, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    outcome: str  # answer | definition | suggest | none | off_topic | small_talk | empty | too_long
    article: ArticleView | None
    score: float
    confidence: float
    alternatives: tuple[ArticleRef, ...]
    log_id: int | None = None
    vague: bool = False  # too general a question to answer outright (see knowledge.search)
    term: Term | None = None  # outcome "definition": the glossary term asked about

    @property
    def answered(self) -> bool:
        return self.outcome in ("answer", "definition")


class KnowledgeBase:
    """Articles, glossary and the search index, loaded once and shared by all updates."""

    def __init__(self, articles: list[Article], glossary: Glossary) -> None:
        self.articles = {a.id: a for a in articles}
        self.glossary = glossary
        self.index = SearchIndex(articles, glossary)
        # an article as shown (its body split into messages), built once per set of articles
        self._views: dict[str, ArticleView] = {}

    @classmethod
    def from_dir(cls, directory: Path) -> KnowledgeBase:
        return cls(load_articles(directory), Glossary.load(directory / "glossary.yaml"))

    def build_index(self, articles: list[Article]) -> SearchIndex:
        """The index of a new set of articles; it trains their classifier, a second or two
        for the shipped base, so the bot builds it in a worker thread
        (`asyncio.to_thread(kb.build_index, articles)`) and hands it to replace_articles."""
        return SearchIndex(articles, self.glossary)

    def replace_articles(self, articles: list[Article], index: SearchIndex | None = None) -> None:
        """Swap in a new set of articles (after a publish) without a restart.

        The new index is built first (or given, built from the same articles); the articles
        and the index are then assigned in one statement, with no await in between, so no
        update sees one without the other."""
        if index is None:
            index = self.build_index(articles)
        self.articles, self.index, self._views = {a.id: a for a in articles}, index, {}

    # ---------------------------------------------------------------- views
    def ref(self, article: Article, score: float = 0.0) -> ArticleRef:
        return ArticleRef(article.id, article.title, article.section, round(score, 4))

    def view(self, article_id: str) -> ArticleView:
        found = self._views.get(article_id)
        if found is None:
            found = self._views[article_id] = self._view(self.articles, article_id)
        return found

    def _view(self, articles: dict[str, Article], article_id: str) -> ArticleView:
        article = articles.get(article_id)
        if article is None:
            raise NotFound("Такой статьи в базе знаний нет.")
        related = tuple(self.ref(articles[r]) for r in article.related if r in articles)
        return ArticleView(
            id=article.id,
            title=article.title,
            section=article.section,
            section_title=article.section_title,
            chunks=tuple(split_html(article.html, CHUNK)),
            laws=article.laws,
            applies_to=article.applies_to,
            updated=article.updated,
            reviewed_by=article.reviewed_by,
            related=related[:3],
        )

    def sections(self) -> list[tuple[str, str, int]]:
        counts: dict[str, int] = {}
        for article in self.articles.values():
            counts[article.section] = counts.get(article.section, 0) + 1
        return [(key, title, counts[key]) for key, title in SECTIONS.items() if key in counts]

    def section_articles(self, section: str) -> list[ArticleRef]:
        if section not in SECTIONS:
            raise NotFound("Такого раздела нет.")
        return [self.ref(a) for a in self.articles.values() if a.section == section]

    # ------------------------------------------------------------- answering
    def ask(self, question: str) -> Answer:
        """Answer, suggest or decline; never raises on odd input."""
        text = question.strip()
        if not text or is_meaningless(text):
            return Answer(question, "empty", None, 0.0, 0.0, ())
        if len(text) > MAX_QUESTION:
            return Answer(question, "too_long", None, 0.0, 0.0, ())
        if small_talk_kind(text) is not None:
            return Answer(question, "small_talk", None, 0.0, 0.0, ())
        result = self.index.search(text)
        answer = self._answer(question, result)
        term = defined_term(self.glossary, text)
        if term is not None and not (answer.article and is_about(answer.article.title, term)):
            # «что такое НМЦК?» answered by an article about something else: the definition,
            # with the articles the search found as buttons
            refs = tuple(self.ref(h.article, h.score) for h in result.hits[:3])
            return Answer(question, "definition", None, 1.0, 1.0, refs, term=term)
        return answer

    def _answer(self, question: str, result: SearchResult) -> Answer:
        best = result.best
        if result.small_talk:
            return Answer(question, "small_talk", None, 0.0, 0.0, ())
        if result.off_topic or best is None:
            outcome = "off_topic" if result.off_topic else "none"
            return Answer(question, outcome, None, best.score if best else 0.0, 0.0, ())
        if result.confident:
            # the next articles the search found, offered as buttons under the answer
            alternatives = tuple(
                self.ref(h.article, h.score) for h in result.hits[1:3] if h.confidence >= OTHERS
            )
            return Answer(
                question,
                "answer",
                self.view(best.article.id),
                best.score,
                best.confidence,
                alternatives,
            )
        suggestions = tuple(self.ref(h.article, h.score) for h in result.suggestions)
        outcome = "suggest" if suggestions else "none"
        return Answer(
            question, outcome, None, best.score, best.confidence, suggestions, vague=result.vague
        )

    def search_refs(self, query: str, limit: int = 10) -> list[ArticleRef]:
        """Articles for inline mode: best matches, or the first articles for an empty query."""
        if not query.strip() or is_meaningless(query):
            return [self.ref(a) for a in list(self.articles.values())[:limit]]
        result = self.index.search(query, k=limit)
        if result.off_topic:
            return []
        return [self.ref(h.article, h.score) for h in result.hits if h.confidence >= 0.2][:limit]

    def term(self, query: str) -> Term | None:
        return self.glossary.lookup(query)


# ------------------------------------------------------------------ persistence
# (questions are logged by bot.services.question_log, behind the reply)
async def _own_log(session: AsyncSession, log_id: int, user_id: int) -> QuestionLog:
    row = await session.get(QuestionLog, log_id)
    if row is None:
        raise NotFound("Вопрос не найден.")
    if row.user_id != user_id:
        raise Forbidden("Эта кнопка относится к чужому вопросу.")
    return row


async def record_feedback(session: AsyncSession, log_id: int, user_id: int, useful: bool) -> bool:
    """Store 👍/👎 for the user's own question; returns False when it was already the same."""
    row = await _own_log(session, log_id, user_id)
    value = 1 if useful else -1
    if row.feedback == value:
        return False
    await session.execute(
        update(QuestionLog).where(QuestionLog.id == log_id).values(feedback=value)
    )
    await session.commit()
    return True


async def record_choice(session: AsyncSession, log_id: int, user_id: int, article_id: str) -> None:
    """The user picked an article offered for their question."""
    await _own_log(session, log_id, user_id)
    await session.execute(
        update(QuestionLog).where(QuestionLog.id == log_id).values(chosen_article_id=article_id)
    )
    await session.commit()
