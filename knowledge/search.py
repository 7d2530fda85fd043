"""The article index and its ranking: BM25F over title, questions, tags and body, with
glossary concepts, typo tolerance and a confidence that knows when it does not know."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from knowledge.glossary import Glossary
from knowledge.loader import Article
from knowledge.text import (
    STOPWORDS,
    in_dictionary,
    is_ordinary,
    lemma,
    negated,
    part_of_speech,
    words,
)
from knowledge.vectors import Vector, WordVectors, load_vectors

FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "questions": 1.5, "tags": 2.0, "body": 1.0}
FIELD_B: dict[str, float] = {"title": 0.3, "questions": 0.5, "tags": 0.3, "body": 0.75}
K1 = 2.0
CONCEPT_BOOST = 1.5
STEM_WEIGHT = 0.5  # prefix stems join word families pymorphy keeps apart (подписать ~ подписание)
STEM_LEN = 5
BIGRAM_WEIGHT = 0.5
# Confidence bands: at or above ANSWER, answer; at or above SUGGEST, offer alternatives.
ANSWER = 0.57
SUGGEST = 0.47
# With an ordinary noun or English word no article uses around it («штраф за превышение
# скорости», «bidding war on a house»), the topic may lie outside procurement: articles are
# offered only from SUGGEST_AROUND up, below it the bot declines.
SUGGEST_AROUND = 0.53
# Even at or above ANSWER, the leader is answered outright only when its score is at least
# CLEAR times the runner-up's or its confidence is at least SURE: two articles neck and neck
# are offered as buttons instead (on dev, a leader within 10 % of the runner-up was the wrong
# article about a third of the time).
CLEAR = 1.08
SURE = 0.7
# A clear leader is answered below ANSWER (the next articles are offered as buttons): its
# confidence is at least LEADER and its score at least LEAD times the runner-up's.
LEADER = 0.5
LEAD = 1.3
# An article's title says what it answers: the share of the question's words (by idf) found
# in the title (a word sharing only its stem counts STEM_WEIGHT: «даётся» ~ «дают») adds up
# to TITLE_BONUS * top BM25 to the score of the leading candidates.
TITLE_BONUS = 0.3
TITLE_POOL = 10
LAW_POOL = 30
# The law a question names: an article about the other law only scores LAW_OTHER of its
# score; when the question names no law, a 223-ФЗ-only article scores LAW_UNNAMED_223 (most
# owners' questions are about 44-ФЗ, and its articles say where 223-ФЗ differs).
LAW_OTHER = 0.8
LAW_UNNAMED_223 = 0.9
LAWS_OF = {"44-ФЗ": "44фз", "223-ФЗ": "223фз"}
# A question whose words together weigh less than this (in idf) is made only of words many
# articles share («статья», «закупка», «контракт», «обеспечение», «223»): too vague to answer
# outright, whatever it matches, so the bot offers articles to choose from instead.
VAGUE = 1.5
# A dictionary word no article uses («мебель», «пятница», «выложили», «опаздываем») is ordinary
# language around the question, not a procurement term the base lacks: it weighs this much in
# the question's total (a word pymorphy does not know — jargon, an abbreviation, garbage —
# still weighs the maximum idf, and so do the terms of UNCOVERED).
ORDINARY = 0.5
# An ordinary noun names a thing, and may be the topic («коммуналка», «парковка», «вклад»):
# it weighs more than an ordinary verb or adverb, which frames the question («выложили»,
# «опаздываем», «насчитал»).
ORDINARY_NOUN = 4.0
# Semantic layer (knowledge.vectors): the cosine of the question's and an article's
# idf-weighted mean word vectors adds SEMANTIC * top BM25 * max(0, cos - SEM_FLOOR) /
# (1 - SEM_FLOOR) to its score, which ranks and feeds the confidence; a question word missing
# from an article earns coverage by its best cosine with the article's words above SOFT_FLOOR
# (scaled to 0..SOFT_MAX of its weight).
SEMANTIC = 0.6
SEM_FLOOR = 0.35
SOFT_FLOOR = 0.45
SOFT_MAX = 1.0
SEM_CANDIDATES = 5  # articles added by meaning alone, whatever words they share
# With ordinary words around it, a question needs this much weight (idf) of article words, or
# a glossary term, to be about procurement at all («какой айфон лучше купить» is not).
MIN_SIGNAL = 3.0
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
        # everyday life that shares words with procurement («штраф», «договор», «конкурс»)
        "гибдд",
        "гаи",
        "автошкола",
        "фитнес",
        "спортзал",
        "абонемент",
        "красота",
        "косметика",
        "маникюр",
        "мисс",
        "акция",
        "дивиденд",
        "брокер",
        "пенсия",
        "пособие",
        "маткапитал",
        "материнский",
        "егэ",
        "экзамен",
        "загранпаспорт",
        "внж",
        "егрн",
        "отпускные",
        "ндфл",
        "больничный",
        "увольнение",
        "уволить",
        "отпроситься",
        "работодатель",
        "похудеть",
        "диета",
        "маркетплейс",
        "вайлдберриз",
        "озон",
        "госуслуги",
        "коммуналка",
        "жкх",
        "квартплата",
        "парковка",
        "подвеска",
        # art sales and personal savings: «аукцион картин», «вклад под процент»
        "картина",
        "живопись",
        "антиквариат",
        "художник",
        "вклад",
        "css",
        "html",
        "weather",
        "phone",
        "smartphone",
        "iphone",
        "painting",
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
        "landlord",
        "tenant",
        "rent",
        "ebay",
        "amazon",
        "aliexpress",
    ]
)


# A word of OFF_TOPIC that at least this many articles use is a procurement word too («ставка»:
# ключевая ставка of a penalty, «код» ОКПД2): it no longer makes the question off-topic.
OFF_TOPIC_DF = 2

# Procurement-adjacent terms no article covers: a question about them is not answered from an
# article that shares its other words («договор лизинга» is not about signing a contract).
UNCOVERED = frozenset(
    [
        "лизинг",
        "лизинговый",
        "концессия",
        "концессионный",
        "франшиза",
        "аккредитив",
        "эскроу",
        "гчп",
        "мчп",
        "офсетный",
        "энергосервисный",
        "физлицо",
        "маркетплейс",
        "патент",
        "ипотечный",
        "страховка",
        "осаго",
        "каско",
        "leasing",
        "concession",
        "franchise",
        "tax",
        "marketplace",
    ]
)

# English function words the stopword list leaves out: neither terms nor context.
ENGLISH_FILLER = frozenset(
    [
        "much",
        "many",
        "have",
        "has",
        "had",
        "does",
        "doe",
        "did",
        "get",
        "got",
        "if",
        "from",
        "as",
        "will",
        "would",
        "should",
        "could",
        "shall",
        "may",
        "might",
        "must",
        "need",
        "want",
        "let",
        "they",
        "them",
        "their",
        "than",
        "then",
        "so",
        "not",
        "no",
        "yes",
        "by",
        "at",
        "or",
        "and",
        "but",
        "been",
        "was",
        "were",
        "into",
        "out",
        "up",
        "down",
        "over",
        "under",
        "more",
        "most",
        "less",
        "all",
        "some",
        "other",
        "its",
        "his",
        "her",
        "us",
        "whom",
        "whose",
        "still",
        "also",
        "just",
        "only",
        "very",
        "too",
        "here",
        "now",
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
    ordinary: tuple[str, ...] = ()
    no_signal: bool = False  # only ordinary words: nothing in it is about procurement
    uncovered: bool = False  # names a neighbouring topic no article covers (UNCOVERED)

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def confident(self) -> bool:
        if not self.hits or self.off_topic or self.vague or self.no_signal or self.uncovered:
            return False
        best = self.hits[0]
        runner_up = self.hits[1].score if len(self.hits) > 1 else 0.0
        if best.confidence >= ANSWER and (
            best.score >= CLEAR * runner_up or best.confidence >= SURE
        ):
            return True
        return best.confidence >= LEADER and best.score >= LEAD * runner_up

    @property
    def suggestions(self) -> tuple[Hit, ...]:
        if self.off_topic or self.no_signal or self.uncovered or self.confident:
            return ()
        floor = SUGGEST
        if any(part_of_speech(w) == "NOUN" or w.isascii() for w in self.ordinary):
            floor = SUGGEST_AROUND
        return tuple(h for h in self.hits[:3] if h.confidence >= floor)


@dataclass
class _Doc:
    article: Article
    fields: dict[str, Counter[str]]
    lengths: dict[str, int]


@dataclass(frozen=True, slots=True)
class QueryParts:
    """A question as the index sees it."""

    tokens: list[str]  # corpus lemmas (typos corrected) and glossary concepts
    unknown: list[str]  # words that may be procurement terms the base lacks
    ordinary: list[str]  # dictionary words no article uses: neutral context
    off_topic: bool
    lemmas: list[str]  # content lemmas of every word, for the semantic layer
    uncovered: bool = False  # a term of UNCOVERED that no article uses


class _Semantics:
    """Article vectors and the corpus vocabulary's vectors (knowledge.vectors)."""

    def __init__(self, vectors: WordVectors, index: SearchIndex, docs: list[dict[str, float]]):
        self.vectors = vectors
        terms = [t for t in index.df if t[0] not in TERM_FACTOR and not t.isdigit()]
        rows: list[Vector] = []
        self.term_row: dict[str, int] = {}
        for t in terms:
            v = vectors.get(t)
            if v is not None:
                self.term_row[t] = len(rows)
                rows.append(v)
        dim = vectors.dim
        self.terms: npt.NDArray[np.float32] = (
            np.vstack(rows) if rows else np.zeros((0, dim), np.float32)
        )
        self.docs = np.zeros((len(docs), dim), np.float32)
        self.doc_terms: list[npt.NDArray[np.int32]] = []
        for i, weights in enumerate(docs):
            ids = [self.term_row[t] for t in weights if t in self.term_row]
            self.doc_terms.append(np.array(ids, np.int32))
            if ids:
                w = np.array([weights[t] for t in weights if t in self.term_row], np.float32)
                v = w @ self.terms[ids]
                norm = float(np.linalg.norm(v))
                self.docs[i] = v / norm if norm else v

    @property
    def nbytes(self) -> int:
        return self.terms.nbytes + self.docs.nbytes + sum(a.nbytes for a in self.doc_terms)


class SearchIndex:
    """Built once from the articles; `search` is pure and cheap."""

    def __init__(
        self,
        articles: Iterable[Article],
        glossary: Glossary | None = None,
        *,
        semantic: bool = True,
    ) -> None:
        self.glossary = glossary or Glossary([])
        self.docs: list[_Doc] = []
        self.df: Counter[str] = Counter()
        self.surface: dict[str, str] = {}  # word form -> lemma, for typo correction
        self.heads: list[frozenset[str]] = []  # title lemmas and stems per article
        self.doc_law: list[str] = []  # "44фз" or "223фз" for an article about one law only
        for article in articles:
            fields = {
                "title": self._analyze(article.title),
                "questions": self._analyze(" . ".join(article.questions)),
                "tags": self._analyze(" . ".join((*article.tags, *article.laws))),
                "body": self._analyze(article.body),
            }
            self.heads.append(frozenset(t for t in fields["title"] if t[0] not in "#^"))
            self.doc_law.append(LAWS_OF.get(article.applies_to, ""))
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
        doc_weights: list[dict[str, float]] = []
        for i, doc in enumerate(self.docs):
            weights: dict[str, float] = {}
            # sorted: sums in a fixed order, the same figures in every process
            for term in sorted(set().union(*(set(c) for c in doc.fields.values()))):
                tf = 0.0
                for f, w in FIELD_WEIGHTS.items():
                    c = doc.fields[f].get(term)
                    if c:
                        norm = 1 - FIELD_B[f] + FIELD_B[f] * doc.lengths[f] / self.avg[f]
                        tf += w * c / norm
                idf = self.idf[term] * TERM_FACTOR.get(term[0], 1.0)
                self.postings[term].append((i, idf * tf / (K1 + tf)))
                if term[0] not in TERM_FACTOR:
                    weights[term] = self.idf[term] * math.sqrt(tf)
            doc_weights.append(weights)
            doc.fields = {}  # the postings hold everything the ranking needs
        vectors = load_vectors() if semantic else None
        self.semantics = _Semantics(vectors, self, doc_weights) if vectors else None

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

    def _is_ordinary(self, word: str, lem: str) -> bool:
        """A word of ordinary language: in pymorphy's dictionary (or an English word the
        vectors know), not a term of the neighbouring domains the base does not cover."""
        if lem in UNCOVERED or word in UNCOVERED:
            return False
        if word.isascii():
            # English the glossary does not translate is ordinary language («real», «talk»);
            # a question made only of such words has no procurement signal and is declined
            return word.isalpha()
        return is_ordinary(word)

    def parse_query(self, query: str) -> QueryParts:
        original = words(query)
        translated = self.glossary.translate(original)
        contrast = negated(translated)  # «если мы не СМП»: СМП is not what is asked about
        raw = [w for i, w in enumerate(translated) if i not in contrast]
        seq: list[str] = []
        unknown: list[tuple[int, str]] = []
        ordinary: list[tuple[int, str]] = []
        off_topic = False
        uncovered = False
        for w in raw:
            lem = lemma(w)
            if (lem in OFF_TOPIC or w in OFF_TOPIC) and self.df.get(lem, 0) < OFF_TOPIC_DF:
                off_topic = True
            if (lem in UNCOVERED or w in UNCOVERED) and lem not in self.df:
                uncovered = True
            if lem in STOPWORDS or len(lem) < 2 or w in ENGLISH_FILLER:
                seq.append(lem)
                continue
            if w.isdigit() and w not in self.df and "ст" + w in self.df:
                seq.append("ст" + w)  # «закупка по 93-й»: the articles cite it as «ст. 93»
                continue
            fixed = self._correct(w)
            if fixed is None:
                if w.isdigit():
                    pass  # a number no article has («27 %», «500 млн») is context
                elif self._is_ordinary(w, lem):
                    ordinary.append((len(seq), lem))
                else:
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
        content = [t for t in seq if t not in STOPWORDS and len(t) > 1 and not t.isdigit()]
        return QueryParts(
            tokens + concepts,
            [w for i, w in unknown if i not in covered],
            [w for i, w in ordinary if i not in covered],
            off_topic,
            content,
            uncovered,
        )

    def analyze_query(self, query: str) -> tuple[list[str], list[str], bool]:
        """Query tokens (corrected lemmas and concepts), unknown words, off-topic flag."""
        parts = self.parse_query(query)
        return parts.tokens, parts.unknown, parts.off_topic

    def _query_vector(self, parts: QueryParts) -> Vector | None:
        sem = self.semantics
        if sem is None:
            return None
        total = np.zeros(sem.vectors.dim, np.float32)
        for t in dict.fromkeys(parts.lemmas):
            v = sem.vectors.get(t)
            if v is not None:
                total += v * self.idf.get(t, ORDINARY)
        norm = float(np.linalg.norm(total))
        return total / norm if norm else None

    def search(self, query: str, k: int = 5) -> SearchResult:
        parts = self.parse_query(query)
        tokens, unknown, ordinary, off_topic = (
            parts.tokens,
            parts.unknown,
            parts.ordinary,
            parts.off_topic,
        )
        content = [lemma(w) for w in words(query)]
        content = [t for t in content if t not in STOPWORDS and len(t) > 1]
        if content and all(t in SMALL_TALK for t in content):
            return SearchResult(
                query, (), tuple(tokens), tuple(unknown), off_topic, small_talk=True
            )
        words_only = [t for t in tokens if not t.startswith("#")]
        q = set(tokens) | {s for s in (*stems(words_only), *bigrams(words_only)) if s in self.df}
        base = list(dict.fromkeys(tokens))
        ordinary = list(dict.fromkeys(ordinary))
        # The query's total weight: every informative token, unknown words at maximum idf,
        # ordinary words at a small fixed weight.
        known_weight = sum(self._weight(t) for t in base)
        ordinary_weight = {t: self._ordinary_weight(t) for t in ordinary}
        total_weight = known_weight + self.max_idf * len(unknown) + sum(ordinary_weight.values())
        acc: dict[int, float] = defaultdict(float)
        matched_by_doc: dict[int, set[str]] = defaultdict(set)
        for term in sorted(q):
            for i, contribution in self.postings.get(term, ()):
                acc[i] += contribution
                matched_by_doc[i].add(term)
        top_lexical = max(acc.values(), default=0.0)
        qvec = self._query_vector(parts)
        sem = self.semantics
        cosines: npt.NDArray[np.float32] | None = None
        if sem is not None and qvec is not None:
            cosines = sem.docs @ qvec
            scale = SEMANTIC * max(top_lexical, 1.0) / (1 - SEM_FLOOR)
            boost = np.maximum(cosines - SEM_FLOOR, 0.0) * scale
            for i in np.argsort(-cosines)[:SEM_CANDIDATES]:
                acc.setdefault(int(i), 0.0)
            for i in acc:
                acc[i] += float(boost[i])
        ranked = sorted(acc.items(), key=lambda s: s[1], reverse=True)
        ranked = self._title_and_law(ranked, base, tokens, parts.lemmas, max(top_lexical, 1.0))
        cols, sims = self._similarities(
            [t for t in base if not t.startswith("#")] + list(ordinary_weight)
        )
        scores: list[tuple[float, float, _Doc]] = []
        for i, score in ranked[: max(k, 3)]:
            matched_terms = matched_by_doc.get(i, set())
            matched = 0.0
            missing: list[tuple[str, float]] = []
            for t in base:
                if t in matched_terms:
                    matched += self._weight(t)
                elif stem(t) in matched_terms:
                    matched += STEM_WEIGHT * self._weight(t)
                    missing.append((t, (1 - STEM_WEIGHT) * self._weight(t)))
                elif not t.startswith("#"):
                    missing.append((t, self._weight(t)))
            missing += list(ordinary_weight.items())
            matched += self._soft(i, missing, cols, sims)
            coverage = matched / total_weight if total_weight else 0.0
            scores.append((score, min(coverage, 1.0), self.docs[i]))
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
        # Nothing about procurement: every content word is ordinary language or the few
        # corpus words weigh too little to be a topic («как отпроситься в пятницу с работы»).
        concept = any(t.startswith("#") for t in base)
        no_signal = bool(ordinary) and not unknown and not concept and known_weight < MIN_SIGNAL
        return SearchResult(
            query,
            tuple(hits),
            tuple(tokens),
            tuple(unknown),
            off_topic,
            vague=vague and not no_signal,
            ordinary=tuple(ordinary),
            no_signal=no_signal,
            uncovered=parts.uncovered,
        )

    def _title_and_law(
        self,
        ranked: list[tuple[int, float]],
        base: list[str],
        tokens: list[str],
        lemmas: list[str],
        top: float,
    ) -> list[tuple[int, float]]:
        """The leading candidates rescored: the title bonus (TITLE_BONUS) for the first
        TITLE_POOL, the law the question names (LAW_OTHER, LAW_UNNAMED_223) for the first
        LAW_POOL; the rest, already far behind, keep their order."""
        head_words = [t for t in base if t[0] not in TERM_FACTOR and not t.isdigit()]
        head_total = sum(self._weight(t) for t in head_words)
        named = {law for law in ("44фз", "223фз") if law in tokens or law in lemmas}
        out: list[tuple[int, float]] = []
        for rank, (i, score) in enumerate(ranked[:LAW_POOL]):
            if head_total and rank < TITLE_POOL:
                head = self.heads[i]
                got = sum(
                    self._weight(t) * (1.0 if t in head else STEM_WEIGHT)
                    for t in head_words
                    if t in head or stem(t) in head
                )
                score += TITLE_BONUS * top * got / head_total
            law = self.doc_law[i]
            if law and named and law not in named:
                score *= LAW_OTHER
            elif law == "223фз" and not named:
                score *= LAW_UNNAMED_223
            out.append((i, score))
        out.sort(key=lambda s: s[1], reverse=True)
        return out + ranked[LAW_POOL:]

    def _similarities(
        self, words_: list[str]
    ) -> tuple[dict[str, int], npt.NDArray[np.float32] | None]:
        """Cosines of the question's words with every corpus word, once per question:
        (word -> column, corpus words x columns)."""
        sem = self.semantics
        if sem is None:
            return {}, None
        cols: dict[str, int] = {}
        vecs: list[Vector] = []
        for t in words_:
            v = sem.vectors.get(t)
            if v is not None and t not in cols:
                cols[t] = len(vecs)
                vecs.append(v)
        if not vecs:
            return {}, None
        return cols, sem.terms @ np.vstack(vecs).T

    def _soft(
        self,
        doc: int,
        missing: list[tuple[str, float]],
        cols: dict[str, int],
        sims: npt.NDArray[np.float32] | None,
    ) -> float:
        """Coverage earned by question words an article lacks but says in other words: each
        word's weight times its best cosine with the article's words, rescaled above
        SOFT_FLOOR to at most SOFT_MAX."""
        sem = self.semantics
        if sem is None or sims is None or not missing:
            return 0.0
        rows = sem.doc_terms[doc]
        if not len(rows):
            return 0.0
        best = sims[rows].max(axis=0)
        earned = 0.0
        for t, w in missing:
            c = cols.get(t)
            if c is not None and best[c] > SOFT_FLOOR:
                earned += w * SOFT_MAX * (float(best[c]) - SOFT_FLOOR) / (1 - SOFT_FLOOR)
        return earned

    @property
    def nbytes(self) -> int:
        """The semantic layer's arrays (the shared word vectors not included)."""
        return self.semantics.nbytes if self.semantics else 0

    @staticmethod
    def _ordinary_weight(lem: str) -> float:
        return ORDINARY_NOUN if part_of_speech(lem) == "NOUN" else ORDINARY

    def _weight(self, term: str) -> float:
        return self.idf.get(term, self.max_idf)

    @staticmethod
    def _confidence(score: float, coverage: float, margin: float, top: float) -> float:
        """Blend of how much of the question the article covers, how strong the match is
        in absolute terms, and (for the first hit) how clearly it beats the runner-up."""
        strength = 1 - math.exp(-score / 6.0)
        relative = score / top if top else 0.0
        return max(0.0, min(1.0, (0.5 * coverage + 0.35 * strength + 0.15 * margin) * relative))
