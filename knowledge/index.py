"""The article index: BM25F postings over title, questions, tags and body (lemmas, stems,
bigrams and glossary concepts), a BM25 index of the articles' phrasings of their own, the
corpus vocabulary for typo correction, and the semantic layer's vectors."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from knowledge.derivation import derivations
from knowledge.glossary import Glossary
from knowledge.loader import Article
from knowledge.semantics import Semantics
from knowledge.terms import TERM_FACTOR, bigrams, is_word, stems
from knowledge.text import STOPWORDS, lemma, words
from knowledge.vectors import load_vectors

FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "questions": 1.5, "tags": 2.0, "body": 1.0}
FIELD_B: dict[str, float] = {"title": 0.3, "questions": 0.5, "tags": 0.3, "body": 0.75}
K1 = 2.0
# Phrasings (more ways owners ask: knowledge.loader) rank an article but do not make their
# words part of the base's vocabulary: a question's word found only in phrasings stays
# unknown for coverage, typo correction and meaning, so off-topic slang does not become a
# topic. Their own BM25 (idf over the phrasings) adds PHRASE_WEIGHT of its score.
PHRASE_WEIGHT = 1.0
PHRASE_B = 0.5
LAWS_OF = {"44-ФЗ": "44фз", "223-ФЗ": "223фз"}


@dataclass
class _Doc:
    article: Article
    fields: dict[str, Counter[str]]
    lengths: dict[str, int]


class Postings:
    """Every term's postings in two flat arrays (articles ascending, BM25F contributions),
    found by the term's slice."""

    def __init__(self, postings: dict[str, list[tuple[int, float]]]) -> None:
        self.slices: dict[str, tuple[int, int]] = {}
        docs: list[int] = []
        weights: list[float] = []
        for term, entries in postings.items():
            self.slices[term] = (len(docs), len(docs) + len(entries))
            docs.extend(i for i, _ in entries)
            weights.extend(w for _, w in entries)
        self.docs = np.array(docs, np.int32)
        self.weights = np.array(weights, np.float64)

    def get(self, term: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]] | None:
        found = self.slices.get(term)
        if found is None:
            return None
        start, end = found
        return self.docs[start:end], self.weights[start:end]

    def has(self, term: str, doc: int) -> bool:
        found = self.get(term)
        if found is None:
            return False
        docs = found[0]
        at = int(np.searchsorted(docs, doc))
        return at < len(docs) and int(docs[at]) == doc

    def holding(self, term: str, docs: npt.NDArray[np.int32]) -> list[int]:
        """Which of `docs` contain `term` (one search for them all, not one per doc)."""
        found = self.get(term)
        if found is None or not len(found[0]):
            return []
        own = found[0]
        at = np.minimum(np.searchsorted(own, docs), len(own) - 1)
        return [int(d) for d in docs[own[at] == docs]]

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes


class ArticleIndex:
    """Built once from the articles; read-only afterwards."""

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
        self.typos: dict[str, str | None] = {}  # misspelt word -> correction (knowledge.query)
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
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
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
                postings[term].append((i, idf * tf / (K1 + tf)))
                if is_word(term):
                    weights[term] = self.idf[term] * math.sqrt(tf)
            doc_weights.append(weights)
            doc.fields = {}  # the postings hold everything the ranking needs
        self.postings = Postings(postings)
        self.phrase_postings = self._phrase_postings([d.article for d in self.docs])
        # verb <-> deverbal noun of the vocabulary (knowledge.derivation)
        self.related = derivations(self.df)
        vectors = load_vectors() if semantic else None
        self.semantics = (
            Semantics(vectors, (t for t in self.df if is_word(t) and not t.isdigit()), doc_weights)
            if vectors
            else None
        )

    @cached_property
    def surface_keys(self) -> list[str]:
        return [w for w in self.surface if len(w) >= 4]

    @cached_property
    def lemma_keys(self) -> list[str]:
        return [t for t in self.df if len(t) >= 4 and is_word(t)]

    def _phrase_postings(self, articles: list[Article]) -> Postings:
        """BM25 over each article's phrasings, as one field, with their own idf."""
        fields: list[Counter[str]] = []
        for article in articles:
            seq = [lemma(w) for w in words(" . ".join(article.phrasings))]
            tokens = [t for t in seq if t not in STOPWORDS and len(t) > 1]
            fields.append(
                Counter(tokens + stems(tokens) + bigrams(tokens) + self.glossary.concepts(seq))
            )
        n = max(len(fields), 1)
        lengths = [sum(f.values()) for f in fields]
        avg = (sum(lengths) / n) or 1.0
        df: Counter[str] = Counter()
        for f in fields:
            df.update(f.keys())
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, field in enumerate(fields):
            norm = 1 - PHRASE_B + PHRASE_B * lengths[i] / avg
            for term in sorted(field):
                tf = field[term] / norm
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                idf *= TERM_FACTOR.get(term[0], 1.0)
                postings[term].append((i, PHRASE_WEIGHT * idf * tf / (K1 + tf)))
        return Postings(postings)

    def _analyze(self, text: str) -> list[str]:
        seq = []
        for w in words(text):
            lem = lemma(w)
            self.surface.setdefault(w, lem)
            seq.append(lem)
        tokens = [t for t in seq if t not in STOPWORDS and len(t) > 1]
        return tokens + stems(tokens) + bigrams(tokens) + self.glossary.concepts(seq)

    def weight(self, term: str) -> float:
        """A term's idf; a term no article uses weighs the maximum."""
        return self.idf.get(term, self.max_idf)

    @property
    def nbytes(self) -> int:
        """The postings' and the semantic layer's arrays (the shared word vectors not
        included)."""
        return (
            self.postings.nbytes
            + self.phrase_postings.nbytes
            + (self.semantics.nbytes if self.semantics else 0)
        )
