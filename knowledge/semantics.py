"""The semantic layer: article vectors and the corpus vocabulary's vectors (knowledge.vectors),
the question's vector, and the coverage a question word earns by meaning alone."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from knowledge.vectors import Vector, WordVectors

# The cosine of the question's and an article's idf-weighted mean word vectors adds
# SEMANTIC * top BM25 * max(0, cos - SEM_FLOOR) / (1 - SEM_FLOOR) to its score, which ranks
# and feeds the confidence; a question word missing from an article earns coverage by its best
# cosine with the article's words above SOFT_FLOOR (scaled to 0..SOFT_MAX of its weight).
SEMANTIC = 0.6
SEM_FLOOR = 0.35
SOFT_FLOOR = 0.45
SOFT_MAX = 1.0
SEM_CANDIDATES = 5  # articles added by meaning alone, whatever words they share

# (question word -> column, the corpus words' rows, their cosines with the question's words)
Similarities = tuple[dict[str, int], npt.NDArray[np.int32], npt.NDArray[np.float32] | None]
NO_ROWS = np.zeros(0, np.int32)


class Semantics:
    """Article vectors and the corpus vocabulary's vectors."""

    def __init__(
        self, vectors: WordVectors, terms: Iterable[str], docs: list[dict[str, float]]
    ) -> None:
        self.vectors = vectors
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

    def query_vector(self, weighted: Iterable[tuple[str, float]]) -> Vector | None:
        """The unit mean of the question's word vectors, each weighted (by idf)."""
        total = np.zeros(self.vectors.dim, np.float32)
        for t, weight in weighted:
            v = self.vectors.get(t)
            if v is not None:
                total += v * weight
        norm = float(np.linalg.norm(total))
        return total / norm if norm else None

    def similarities(self, words_: list[str], docs: Iterable[int]) -> Similarities:
        """Cosines of the question's words with the words of the candidate articles, once
        per question: (word -> column, corpus rows in order, those rows x columns)."""
        cols: dict[str, int] = {}
        vecs: list[Vector] = []
        for t in words_:
            v = self.vectors.get(t)
            if v is not None and t not in cols:
                cols[t] = len(vecs)
                vecs.append(v)
        seen = np.zeros(len(self.terms), np.bool_)  # a mask, not np.unique's sort
        for i in docs:
            seen[self.doc_terms[i]] = True
        rows = np.flatnonzero(seen).astype(np.int32)
        if not vecs or not len(rows):
            return {}, rows, None
        return cols, rows, self.terms[rows] @ np.vstack(vecs).T

    def soft(
        self,
        doc: int,
        missing: list[tuple[str, float]],
        cols: dict[str, int],
        rows: npt.NDArray[np.int32],
        sims: npt.NDArray[np.float32] | None,
    ) -> float:
        """Coverage earned by question words an article lacks but says in other words: each
        word's weight times its best cosine with the article's words, rescaled above
        SOFT_FLOOR to at most SOFT_MAX."""
        if sims is None or not missing:
            return 0.0
        own = self.doc_terms[doc]
        if not len(own):
            return 0.0
        best = sims[np.searchsorted(rows, own)].max(axis=0)
        earned = 0.0
        for t, w in missing:
            c = cols.get(t)
            if c is not None and best[c] > SOFT_FLOOR:
                earned += w * SOFT_MAX * (float(best[c]) - SOFT_FLOOR) / (1 - SOFT_FLOOR)
        return earned
