"""The article index and its ranking: BM25F over title, questions, tags and body, with
glossary concepts, typo tolerance and a confidence that knows when it does not know."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from knowledge.glossary import Glossary
from knowledge.loader import Article
from knowledge.text import STOPWORDS, in_dictionary, lemma, negated, words

FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "questions": 1.5, "tags": 2.0, "body": 1.0}
FIELD_B: dict[str, float] = {"title": 0.3, "questions": 0.5, "tags": 0.3, "body": 0.75}
K1 = 2.0
CONCEPT_BOOST = 1.5
STEM_WEIGHT = 0.5  # prefix stems join word families pymorphy keeps apart (подписать ~ подписание)
STEM_LEN = 5
BIGRAM_WEIGHT = 0.5
# Confidence bands: at or above ANSWER, answer; at or above SUGGEST, offer alternatives.
ANSWER = 0.55
SUGGEST = 0.47
# A question whose words together weigh less than this (in idf) is made only of words many
# articles share («статья», «закупка», «контракт», «обеспечение», «223»): too vague to answer
# outright, whatever it matches, so the bot offers articles to choose from instead.
VAGUE = 1.5
SMALL_TALK = frozenset(
    [
        "привет",
        "здравствуй",
        "здравствуйте",
        "дело",
        "спасибо",
        "благодарить",
        "пока",
        "hi",
        "hello",
        "thanks",
        "thank",
        "bye",
        "ок",
        "ok",
        "хорошо",
        "ладно",
    ]
)

# Topics the bot must never answer with an article, whatever words they share with procurement.
OFF_TOPIC = frozenset(
    [
        "погода",
        "прогноз",
        "дождь",
        "снег",
        "температура",
        "крипта",
        "криптовалюта",
        "биткоин",
        "биткойн",
        "эфириум",
        "майнинг",
        "блокчейн",
        "развод",
        "алименты",
        "брак",
        "свадьба",
        "жена",
        "муж",
        "рецепт",
        "готовить",
        "борщ",
        "торт",
        "футбол",
        "хоккей",
        "матч",
        "кино",
        "фильм",
        "сериал",
        "музыка",
        "песня",
        "анекдот",
        "шутка",
        "гороскоп",
        "лотерея",
        "казино",
        "ставка",
        "букмекер",
        "лечение",
        "врач",
        "болезнь",
        "таблетка",
        "симптом",
        "грипп",
        "ковид",
        "машина",
        "автомобиль",
        "двигатель",
        "шина",
        "ипотека",
        "квартира",
        "аренда",
        "сосед",
        "отпуск",
        "туризм",
        "виза",
        "гражданство",
        "эмиграция",
        "иммиграция",
        "python",
        "программирование",
        "код",
        "javascript",
        "игра",
        "компьютерный",
        "телефон",
        "айфон",
        "знакомство",
        "любовь",
        "weather",
        "bitcoin",
        "crypto",
        "divorce",
        "recipe",
        "football",
        "movie",
        "music",
        "joke",
        "lottery",
        "casino",
        "doctor",
        "car",
        "mortgage",
        "apartment",
        "visa",
        "immigration",
        "programming",
        "game",
        "dating",
        "love",
    ]
)


TERM_FACTOR = {"#": CONCEPT_BOOST, "~": STEM_WEIGHT, "^": BIGRAM_WEIGHT}


def stem(token: str) -> str:
    return "~" + token[:STEM_LEN]


def bigrams(tokens: list[str]) -> list[str]:
    """Adjacent word pairs by stem («подписание контракта» ~ «подписать контракт»)."""
    return [f"^{a[:STEM_LEN]}_{b[:STEM_LEN]}" for a, b in itertools.pairwise(tokens)]


def stems(tokens: list[str]) -> list[str]:
    return [stem(t) for t in tokens if len(t) > STEM_LEN and t.isalpha()]


@dataclass(frozen=True, slots=True)
class Hit:
    article: Article
    score: float
    confidence: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    terms: tuple[str, ...]
    unknown: tuple[str, ...]
    off_topic: bool
    small_talk: bool = False
    vague: bool = False

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def confident(self) -> bool:
        return (
            bool(self.hits)
            and not self.off_topic
            and not self.vague
            and self.hits[0].confidence >= ANSWER
        )

    @property
    def suggestions(self) -> tuple[Hit, ...]:
        if self.off_topic or self.confident:
            return ()
        return tuple(h for h in self.hits[:3] if h.confidence >= SUGGEST)


@dataclass
class _Doc:
    article: Article
    fields: dict[str, Counter[str]]
    lengths: dict[str, int]


class SearchIndex:
    """Built once from the articles; `search` is pure and cheap."""

    def __init__(self, articles: Iterable[Article], glossary: Glossary | None = None) -> None:
        self.glossary = glossary or Glossary([])
        self.docs: list[_Doc] = []
        self.df: Counter[str] = Counter()
        self.surface: dict[str, str] = {}  # word form -> lemma, for typo correction
        for article in articles:
            fields = {
                "title": self._analyze(article.title),
                "questions": self._analyze(" . ".join(article.questions)),
                "tags": self._analyze(" . ".join((*article.tags, *article.laws))),
                "body": self._analyze(article.body),
            }
            doc = _Doc(
                article,
                {k: Counter(v) for k, v in fields.items()},
                {k: len(v) for k, v in fields.items()},
            )
            self.docs.append(doc)
            self.df.update(set().union(*(set(c) for c in doc.fields.values())))
        n = max(len(self.docs), 1)
        self.avg = {f: (sum(d.lengths[f] for d in self.docs) / n) or 1.0 for f in FIELD_WEIGHTS}
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in self.df.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        self.by_id = {d.article.id: d.article for d in self.docs}
        # Postings: term -> (doc, BM25F contribution). Contributions do not depend on the
        # query, so a search only sums the postings of its terms.
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
            for term in set().union(*(set(c) for c in doc.fields.values())):
                tf = 0.0
                for f, w in FIELD_WEIGHTS.items():
                    c = doc.fields[f].get(term)
                    if c:
                        norm = 1 - FIELD_B[f] + FIELD_B[f] * doc.lengths[f] / self.avg[f]
                        tf += w * c / norm
                idf = self.idf[term] * TERM_FACTOR.get(term[0], 1.0)
                self.postings[term].append((i, idf * tf / (K1 + tf)))
            doc.fields = {}  # the postings hold everything the ranking needs

    @cached_property
    def _surface_keys(self) -> list[str]:
        return [w for w in self.surface if len(w) >= 4]

    @cached_property
    def _lemma_keys(self) -> list[str]:
        return [t for t in self.df if len(t) >= 4 and t[0] not in TERM_FACTOR]

    def _analyze(self, text: str) -> list[str]:
        seq = []
        for w in words(text):
            lem = lemma(w)
            self.surface.setdefault(w, lem)
            seq.append(lem)
        tokens = [t for t in seq if t not in STOPWORDS and len(t) > 1]
        return tokens + stems(tokens) + bigrams(tokens) + self.glossary.concepts(seq)

    def _correct(self, word: str) -> str | None:
        """Map a misspelt word to a known lemma, or None when nothing is close enough."""
        lem = lemma(word)
        if lem in self.df:
            return lem
        if len(word) < 4 or word.isdigit() or in_dictionary(word):
            return None  # «приема» is «прием», not a misspelt «приемка»
        cutoff = 90 if len(word) < 6 else 85
        for candidates, source in ((self._surface_keys, word), (self._lemma_keys, lem)):
            for match, _score, _i in process.extract(
                source, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3
            ):
                if match[0] == source[0]:  # typos rarely hit the first letter
                    return self.surface.get(match, match)
        return None

    def analyze_query(self, query: str) -> tuple[list[str], list[str], bool]:
        """Query tokens (corrected lemmas and concepts), unknown words, off-topic flag."""
        original = words(query)
        translated = self.glossary.translate(original)
        contrast = negated(translated)  # «если мы не СМП»: СМП is not what is asked about
        raw = [w for i, w in enumerate(translated) if i not in contrast]
        seq: list[str] = []
        unknown: list[tuple[int, str]] = []
        off_topic = False
        for w in raw:
            lem = lemma(w)
            if lem in OFF_TOPIC or w in OFF_TOPIC:
                off_topic = True
            if lem in STOPWORDS or len(lem) < 2:
                seq.append(lem)
                continue
            if w.isdigit() and w not in self.df and "ст" + w in self.df:
                seq.append("ст" + w)  # «закупка по 93-й»: the articles cite it as «ст. 93»
                continue
            fixed = self._correct(w)
            if fixed is None:
                unknown.append((len(seq), w))
                seq.append(lem)
            else:
                seq.append(fixed)
        concepts = self.glossary.concepts(seq)
        covered = self.glossary.covered(seq)  # «eis» is not in the articles but is a term
        if translated != original:
            concepts += [
                c for c in self.glossary.concepts([lemma(w) for w in original]) if c not in concepts
            ]
        tokens = [t for t in seq if t not in STOPWORDS and len(t) > 1 and t in self.df]
        return tokens + concepts, [w for i, w in unknown if i not in covered], off_topic

    def search(self, query: str, k: int = 5) -> SearchResult:
        tokens, unknown, off_topic = self.analyze_query(query)
        content = [lemma(w) for w in words(query)]
        content = [t for t in content if t not in STOPWORDS and len(t) > 1]
        if content and all(t in SMALL_TALK for t in content):
            return SearchResult(
                query, (), tuple(tokens), tuple(unknown), off_topic, small_talk=True
            )
        words_only = [t for t in tokens if not t.startswith("#")]
        q = set(tokens) | {s for s in (*stems(words_only), *bigrams(words_only)) if s in self.df}
        base = list(dict.fromkeys(tokens))
        # The query's total weight: every informative token, unknown words at maximum idf.
        total_weight = sum(self._weight(t) for t in base) + self.max_idf * len(unknown)
        acc: dict[int, float] = defaultdict(float)
        matched_by_doc: dict[int, set[str]] = defaultdict(set)
        for term in q:
            for i, contribution in self.postings.get(term, ()):
                acc[i] += contribution
                matched_by_doc[i].add(term)
        scores: list[tuple[float, float, _Doc]] = []
        for i, score in acc.items():
            matched_terms = matched_by_doc[i]
            matched = sum(
                self._weight(t)
                if t in matched_terms
                else STEM_WEIGHT * self._weight(t)
                if stem(t) in matched_terms
                else 0.0
                for t in base
            )
            coverage = matched / total_weight if total_weight else 0.0
            scores.append((score, coverage, self.docs[i]))
        scores.sort(key=lambda s: s[0], reverse=True)
        hits = []
        top = scores[0][0] if scores else 0.0
        second = scores[1][0] if len(scores) > 1 else 0.0
        for rank, (score, coverage, doc) in enumerate(scores[:k]):
            margin = (score - second) / score if rank == 0 and score else 0.0
            hits.append(
                Hit(
                    doc.article,
                    round(score, 4),
                    round(self._confidence(score, coverage, margin, top), 4),
                )
            )
        vague = total_weight < VAGUE
        return SearchResult(
            query, tuple(hits), tuple(tokens), tuple(unknown), off_topic, vague=vague
        )

    def _weight(self, term: str) -> float:
        return self.idf.get(term, self.max_idf)

    @staticmethod
    def _confidence(score: float, coverage: float, margin: float, top: float) -> float:
        """Blend of how much of the question the article covers, how strong the match is
        in absolute terms, and (for the first hit) how clearly it beats the runner-up."""
        strength = 1 - math.exp(-score / 6.0)
        relative = score / top if top else 0.0
        return max(0.0, min(1.0, (0.5 * coverage + 0.35 * strength + 0.15 * margin) * relative))
