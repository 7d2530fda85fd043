"""Ranking a question against the article index: BM25F postings, the articles' phrasings
(they order the articles; the confidence rests on the articles' own score), the semantic
boost, the title and law rescoring, and each hit's coverage of the question
(knowledge.decision turns them into answer / choice / decline)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.classifier import classifier_for
from knowledge.decision import MIN_SIGNAL, SUGGEST, VAGUE, Hit, SearchResult, confidence
from knowledge.index import ArticleIndex
from knowledge.query import (
    ORDINARY,
    ORDINARY_NOUN,
    QueryParts,
    focus_text,
    parse_query,
    sentences,
)
from knowledge.semantics import NO_ROWS, SEM_CANDIDATES, SEM_FLOOR, SEMANTIC, Similarities
from knowledge.terms import STEM_WEIGHT, bigrams, is_word, stem, stems
from knowledge.text import STOPWORDS, lemma, part_of_speech, words
from knowledge.vocabulary import SMALL_TALK

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
LAW_UNNAMED_223 = 0.8
# In a message that tells its story before it asks, the words outside the question proper
# (knowledge.query.focus_text) weigh CONTEXT_COVER of their weight in the question's
# coverage: an article that answers the question need not repeat the story. 0.6 until
# 2026-12-01 late evening: 0.5 gave both dev halves a little more (fact A 84.3 → 84.6, B 84.1
# → 84.7 %; wrong 2.6 %, out of scope declined 95.5 % unchanged; long stories 66.7 → 69.3 %);
# 0.3 gained more on dev but declined a situation and 1.4 points of out-of-scope questions.
CONTEXT_COVER = 0.5
REVERSED = True
# A question's verb found as its deverbal noun in an article («вернула» ~ «возврат»), or the
# other way round, counts DERIVED of the word itself (knowledge.derivation).
DERIVED = 0.7
# A story whose question proper alone (focus_text), naming a glossary term, is answered
# outright with one of the story's first FOCUS_PICKS articles that the story offered at
# least with SUGGEST confidence: the question proper picks that article among them.
FOCUS_PICKS = 3
# A message of two sentences or more whose question proper (focus_text) is not all of it: the
# story's first FOCUS_RERANK articles are reordered by their score plus FOCUS_RANK times their
# score for the question proper alone (among its first FOCUS_POOL), so that of the articles
# the whole story finds, the one the question itself asks about leads. The scores keep their
# places (the leader keeps the leader's score): it orders, it is not more evidence.
FOCUS_RANK = 0.5
FOCUS_RERANK = 5
FOCUS_POOL = 10
# A question whose meaning is near one of an article's phrasings (cosine of the idf-weighted
# mean word vectors above PHRASE_SEM_FLOOR) ranks that article higher, by up to PHRASE_SEM
# times the top BM25 score; like the phrasings' own BM25 it orders, it is not evidence.
PHRASE_SEM = 0.3
PHRASE_SEM_FLOOR = 0.6
# The classifier's reading (knowledge.classifier): an article it finds likely (probability
# p at or above CLASSIFIED_FLOOR) ranks higher by CLASSIFIED * p times the top BM25 score;
# like the phrasings it orders, it is not evidence.
CLASSIFIED = 0.5
CLASSIFIED_FLOOR = 0.02


def _content(t: str) -> bool:
    return t not in STOPWORDS and len(t) > 1 and not t.isdigit()


def _agreement(p: npt.NDArray[np.float64] | None, leader: int | None) -> float:
    """The classifier's probability for the leader when the classifier ranks it first too."""
    if p is None or leader is None or int(np.argmax(p)) != leader:
        return 0.0
    return round(float(p[leader]), 4)


def _ordinary_weight(lem: str) -> float:
    return ORDINARY_NOUN if part_of_speech(lem) == "NOUN" else ORDINARY


def _head_share(term: str, head: frozenset[str], related: tuple[str, ...]) -> float:
    """How much of a question's word a title has: the word or a related one in full, its stem
    only STEM_WEIGHT."""
    if term in head:
        return 1.0
    if any(a in head for a in related):
        return DERIVED
    return STEM_WEIGHT if stem(term) in head else 0.0


class SearchIndex(ArticleIndex):
    """Built once from the articles; `search` is pure and cheap."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phrase_vectors, self.phrase_owner_rows = self._phrase_vectors()
        self.classifier = classifier_for([doc.article for doc in self.docs])

    @property
    def nbytes(self) -> int:
        """The index's arrays and the classifier's weights (the shared word vectors not
        included)."""
        return super().nbytes + (self.classifier.nbytes if self.classifier else 0)

    def _phrase_vectors(self) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int32]]:
        """Each phrasing's meaning, weighed as a question's is (_query_vector), and the row of
        its article."""
        sem = self.semantics
        if sem is None:
            return np.zeros((0, 1), np.float32), NO_ROWS
        rows: list[npt.NDArray[np.float32]] = []
        owner: list[int] = []
        for i, doc in enumerate(self.docs):
            for text in doc.article.phrasings:
                lemmas = [lemma(w) for w in words(text)]
                v = self._query_vector([t for t in lemmas if _content(t)])
                if v is not None:
                    rows.append(v)
                    owner.append(i)
        if not rows:
            return np.zeros((0, sem.vectors.dim), np.float32), NO_ROWS
        return np.vstack(rows), np.array(owner, np.int32)

    def _query_vector(self, lemmas: list[str]) -> npt.NDArray[np.float32] | None:
        if self.semantics is None:
            return None
        return self.semantics.query_vector(
            (t, self.idf.get(t, ORDINARY)) for t in dict.fromkeys(lemmas)
        )

    def parse_query(self, query: str) -> QueryParts:
        return parse_query(self, query)

    def analyze_query(self, query: str) -> tuple[list[str], list[str], bool]:
        """Query tokens (corrected lemmas and concepts), unknown words, off-topic flag."""
        parts = self.parse_query(query)
        return parts.tokens, parts.unknown, parts.off_topic

    def search(self, query: str, k: int = 5) -> SearchResult:
        """The hits for a message. A message whose story keeps its leader under the answer
        threshold is answered when its question proper alone (focus_text), naming a glossary
        term, is answered outright with the same article (two readings that agree) or with
        one of the story's first FOCUS_PICKS articles offered at least as a suggestion (the
        question proper picks among them; that article goes first). In a story of two
        sentences or more, the question proper also reorders the story's first articles
        (FOCUS_RANK)."""
        text = focus_text(query)
        alone = None
        if text is not None and words(text) and len(sentences(query)) > 1:
            alone = self._search(text, max(k, FOCUS_POOL))
        result = self._search(query, k, alone)
        if alone is not None and alone.outside < result.outside:
            # a story's preamble («привет, я директор…») is not what decides the topic
            result = dataclasses.replace(result, outside=alone.outside)
        best = result.best
        focus = None if best is None or result.confident else text
        if best is None or focus is None or not words(focus):
            return result
        if alone is None:
            alone = self._search(focus, k)
        else:
            alone = dataclasses.replace(alone, hits=alone.hits[:k])
        if (
            not alone.confident
            or alone.best is None
            or not any(t.startswith("#") for t in alone.terms)
        ):
            return result
        at = [h.article.id for h in result.hits[:FOCUS_PICKS]]
        picked = alone.best.article.id
        if picked not in at:
            return result
        i = at.index(picked)
        # an article the question proper moved (FOCUS_RANK) is judged by its place in the
        # story's own order: it is picked only if the story offered it
        offered = result.moved.get(picked, result.hits[i].confidence)
        if (i or picked in result.moved) and offered < SUGGEST:
            return result
        hits = (result.hits[i], *result.hits[:i], *result.hits[i + 1 :])
        return dataclasses.replace(result, hits=hits, agreed=True)

    def _search(self, query: str, k: int = 5, alone: SearchResult | None = None) -> SearchResult:
        """The hits for `query` read as one text; `alone`, the search of its question proper,
        reorders the first ones (FOCUS_RANK)."""
        parts = self.parse_query(query)
        tokens, unknown = parts.tokens, parts.unknown
        content = [lemma(w) for w in words(query)]
        content = [t for t in content if t not in STOPWORDS and len(t) > 1]
        if content and all(t in SMALL_TALK for t in content):
            return SearchResult(
                query, (), tuple(tokens), tuple(unknown), parts.off_topic, small_talk=True
            )
        base = list(dict.fromkeys(tokens))
        ordinary = list(dict.fromkeys(parts.ordinary))
        # The query's total weight: every informative token, unknown words at maximum idf,
        # ordinary words at a small fixed weight.
        known_weight = sum(self.weight(t) for t in base)
        focus = self._focus(query)

        def asked(lem: str) -> float:
            if lem in parts.goods:
                return 0.0  # what is bought does not decide the rule (knowledge.query.goods)
            return 1.0 if focus is None or lem in focus else CONTEXT_COVER

        cover = {t: self.weight(t) * (1.0 if t.startswith("#") else asked(t)) for t in base}
        ordinary_weight = {t: _ordinary_weight(t) * asked(t) for t in ordinary}
        total_weight = (
            sum(cover.values())
            + sum(self.max_idf * asked(w) for w in unknown)
            + sum(ordinary_weight.values())
        )
        related = {**parts.related, **self._related_pairs(parts.lemmas, parts.related)}
        q = self._terms(tokens, related, reverse=parts.translated and REVERSED)
        acc, touched = self._lexical([t for t in q if t not in self._alternates(related)])
        self._derived(acc, touched, related)
        top_lexical = float(acc.max()) if touched.any() else 0.0
        qvec = self._query_vector(parts.lemmas)
        classified, outside = (
            self.classifier.reading(query) if self.classifier is not None else (None, 0.0)
        )
        self._semantic_boost(acc, touched, qvec, top_lexical)
        phrased = self._phrased(q) + self._phrase_meaning(qvec, max(top_lexical, 1.0))
        candidates = np.flatnonzero(touched | (phrased > 0))
        # the classifier orders the candidates; it does not make one
        phrased[candidates] += self._classified(classified, max(top_lexical, 1.0))[candidates]
        order = candidates[np.argsort(-(acc + phrased)[candidates], kind="stable")]
        ranked = [(int(i), float(acc[i])) for i in order[: max(LAW_POOL, k, 3)]]
        # Phrasings order the articles; how strong the match is stays the articles' own
        # score (an off-topic question in an owner's words must not look strong).
        own = dict(
            self._title_and_law(ranked, base, tokens, parts.lemmas, max(top_lexical, 1.0), related)
        )
        ranked = [(i, s + float(phrased[i])) for i, s in ranked]
        ranked = self._title_and_law(
            ranked, base, tokens, parts.lemmas, max(top_lexical, 1.0), related
        )
        before = dict(ranked[:FOCUS_RERANK])
        if alone is not None and ranked:
            ranked = self._by_question(ranked, alone)
        leading = ranked[: max(k, 3)]
        matched_by_doc: dict[int, set[str]] = {i: set() for i, _ in leading}
        leading_docs = np.array([i for i, _ in leading], np.int32)
        for t in q:
            for i in self.postings.holding(t, leading_docs):
                matched_by_doc[i].add(t)
        sims = self._similarities(
            [t for t in base if not t.startswith("#")] + ordinary, [i for i, _ in leading]
        )
        scores: list[tuple[float, float, int]] = []
        for i, score in leading:
            matched = self._matched(
                i, cover, matched_by_doc.get(i, set()), ordinary_weight, sims, related
            )
            coverage = matched / total_weight if total_weight else 0.0
            scores.append((score, min(coverage, 1.0), i))
        hits = []
        top = scores[0][0] if scores else 0.0
        own_second = max((own.get(i, 0.0) for _, _, i in scores[1:]), default=0.0)
        moved = {}
        for rank, (score, coverage, i) in enumerate(scores[:k]):
            mine = own.get(i, 0.0)
            margin = max(mine - own_second, 0.0) / mine if rank == 0 and mine > 0 else 0.0
            if before.get(i, score) != score:
                story = confidence(before[i], coverage, 0.0, top, mine)
                moved[self.docs[i].article.id] = round(story, 4)
            hits.append(
                Hit(
                    self.docs[i].article,
                    round(score, 4),
                    round(confidence(score, coverage, margin, top, own.get(i, 0.0)), 4),
                    round(own.get(i, 0.0), 4),
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
            parts.off_topic,
            vague=vague and not no_signal,
            ordinary=tuple(ordinary),
            no_signal=no_signal,
            uncovered=parts.uncovered,
            law_named=bool({"44фз", "223фз"} & {*tokens, *parts.lemmas}),
            moved=moved,
            classified=_agreement(classified, scores[0][2] if scores else None),
            outside=round(outside, 4),
        )

    def _by_question(
        self, ranked: list[tuple[int, float]], alone: SearchResult
    ) -> list[tuple[int, float]]:
        """The first FOCUS_RERANK articles reordered by their score plus FOCUS_RANK times their
        score for the question proper alone; each place keeps its score."""
        head = ranked[:FOCUS_RERANK]
        asked = {h.article.id: h.score for h in alone.hits}
        order = sorted(
            head,
            key=lambda r: r[1] + FOCUS_RANK * asked.get(self.docs[r[0]].article.id, 0.0),
            reverse=True,
        )
        return [(i, s) for (i, _), (_, s) in zip(order, head, strict=True)] + ranked[FOCUS_RERANK:]

    def _terms(
        self,
        tokens: list[str],
        related: dict[str, tuple[str, ...]],
        *,
        reverse: bool = False,
    ) -> list[str]:
        """The index terms of a question: its tokens, their stems and word pairs (also with a
        verb put as its noun: «вернуть заявка» ~ «возврат заявка»), and the related words;
        `reverse` adds the pairs in reverse order (English puts the modifier first: «bank
        guarantee requirements» is «требования к банковской гарантии»)."""
        words_only = [t for t in tokens if not t.startswith("#")]
        pairs = bigrams(words_only) + (bigrams(words_only[::-1]) if reverse else [])
        q = set(tokens) | self._alternates(related)
        q |= {s for s in (*stems(words_only), *pairs) if s in self.df}
        return sorted(q)  # sums in a fixed order, the same figures in every process

    def _related_pairs(
        self, lemmas: list[str], related: dict[str, tuple[str, ...]]
    ) -> dict[str, tuple[str, ...]]:
        """A question's word pairs with a word put as its related one («вернуть заявка» ->
        «возврат заявка»), as the alternates of the pair itself."""
        out: dict[str, list[str]] = {}
        for at, t in enumerate(lemmas):
            for alt in related.get(t, ()):
                before, after = lemmas[max(at - 1, 0) : at], lemmas[at + 1 : at + 2]
                for own, other in zip(
                    bigrams([*before, t, *after]), bigrams([*before, alt, *after]), strict=True
                ):
                    if other in self.df:
                        out.setdefault(own, []).append(other)
        return {pair: tuple(dict.fromkeys(alts)) for pair, alts in out.items()}

    @staticmethod
    def _alternates(related: dict[str, tuple[str, ...]]) -> set[str]:
        return {a for alts in related.values() for a in alts}

    def _derived(
        self,
        acc: npt.NDArray[np.float64],
        touched: npt.NDArray[np.bool_],
        related: dict[str, tuple[str, ...]],
    ) -> None:
        """A token's related words score DERIVED of their BM25F contribution in an article,
        in so far as they score more than the token itself there."""
        for t, alts in sorted(related.items()):
            best = np.zeros(len(self.docs), np.float64)
            for alt in alts:
                found = self.postings.get(alt)
                if found is not None:
                    docs, contributions = found
                    best[docs] = np.maximum(best[docs], DERIVED * contributions)
            own = self.postings.get(t)
            if own is not None:
                best[own[0]] -= own[1]
            gain = np.maximum(best, 0.0)
            acc += gain
            touched |= gain > 0

    def _lexical(self, terms: list[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """BM25F scores by article, and which articles share a term with the question."""
        acc = np.zeros(len(self.docs), np.float64)
        touched = np.zeros(len(self.docs), np.bool_)
        for term in terms:
            found = self.postings.get(term)
            if found is not None:
                docs, contributions = found
                acc[docs] += contributions
                touched[docs] = True
        return acc, touched

    def _phrase_meaning(
        self, qvec: npt.NDArray[np.float32] | None, top: float
    ) -> npt.NDArray[np.float64]:
        """Each article's nearest phrasing in meaning (the cosine of the mean word vectors)
        above PHRASE_SEM_FLOOR adds up to PHRASE_SEM * top BM25 to its rank (not its
        evidence: see _search)."""
        out = np.zeros(len(self.docs), np.float64)
        if qvec is None or not len(self.phrase_owner_rows):
            return out
        best = np.full(len(self.docs), -1.0)
        np.maximum.at(best, self.phrase_owner_rows, (self.phrase_vectors @ qvec).astype(np.float64))
        return np.maximum(best - PHRASE_SEM_FLOOR, 0.0) * (
            PHRASE_SEM * top / (1 - PHRASE_SEM_FLOOR)
        )

    def _classified(self, p: npt.NDArray[np.float64] | None, top: float) -> npt.NDArray[np.float64]:
        """The classifier's probability for each article from CLASSIFIED_FLOOR up, times
        CLASSIFIED * top BM25 (an ordering term, see _search)."""
        if p is None or CLASSIFIED <= 0:
            return np.zeros(len(self.docs), np.float64)
        return np.where(p >= CLASSIFIED_FLOOR, p, 0.0) * (CLASSIFIED * top)

    def _phrased(self, terms: list[str]) -> npt.NDArray[np.float64]:
        """BM25 over the articles' phrasings (knowledge.index.PHRASE_WEIGHT)."""
        acc = np.zeros(len(self.docs), np.float64)
        for term in terms:
            found = self.phrase_postings.get(term)
            if found is not None:
                acc[found[0]] += found[1]
        return acc

    def _semantic_boost(
        self,
        acc: npt.NDArray[np.float64],
        touched: npt.NDArray[np.bool_],
        qvec: npt.NDArray[np.float32] | None,
        top: float,
    ) -> None:
        """Adds the semantic layer's boost to every candidate, and the SEM_CANDIDATES
        articles nearest in meaning as candidates."""
        sem = self.semantics
        if sem is None or qvec is None:
            return
        cosines = sem.docs @ qvec
        scale = SEMANTIC * max(top, 1.0) / (1 - SEM_FLOOR)
        boost = np.maximum(cosines - SEM_FLOOR, 0.0) * scale
        touched[np.argsort(-cosines)[:SEM_CANDIDATES]] = True
        acc[touched] += boost[touched]

    def _focus(self, query: str) -> set[str] | None:
        """The terms, unknown and ordinary words of the question proper (focus_text), or
        None when the whole message is the question."""
        text = focus_text(query)
        if text is None:
            return None
        parts = parse_query(self, text)
        return {*parts.tokens, *parts.ordinary, *parts.unknown}

    def _title_and_law(
        self,
        ranked: list[tuple[int, float]],
        base: list[str],
        tokens: list[str],
        lemmas: list[str],
        top: float,
        related: dict[str, tuple[str, ...]],
    ) -> list[tuple[int, float]]:
        """The leading candidates rescored: the title bonus (TITLE_BONUS) for the first
        TITLE_POOL, the law the question names (LAW_OTHER, LAW_UNNAMED_223) for the first
        LAW_POOL; the rest, already far behind, keep their order."""
        head_words = [t for t in base if is_word(t) and not t.isdigit()]
        head_total = sum(self.weight(t) for t in head_words)
        named = {law for law in ("44фз", "223фз") if law in tokens or law in lemmas}
        out: list[tuple[int, float]] = []
        for rank, (i, score) in enumerate(ranked[:LAW_POOL]):
            if head_total and rank < TITLE_POOL:
                head = self.heads[i]
                got = sum(
                    self.weight(t) * _head_share(t, head, related.get(t, ())) for t in head_words
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

    def _similarities(self, words_: list[str], docs: list[int]) -> Similarities:
        if self.semantics is None:
            return {}, NO_ROWS, None
        return self.semantics.similarities(words_, docs)

    def _matched(
        self,
        i: int,
        cover: dict[str, float],
        matched_terms: set[str],
        ordinary_weight: dict[str, float],
        sims: Similarities,
        related: dict[str, tuple[str, ...]],
    ) -> float:
        """The weight of the question an article covers: its terms in full, a term matched by
        its stem only in part, the rest by meaning (Semantics.soft)."""
        matched = 0.0
        missing: list[tuple[str, float]] = []
        for t, w in cover.items():
            if t in matched_terms:
                matched += w
            elif any(a in matched_terms for a in related.get(t, ())):
                matched += DERIVED * w
                missing.append((t, (1 - DERIVED) * w))
            elif stem(t) in matched_terms:
                matched += STEM_WEIGHT * w
                missing.append((t, (1 - STEM_WEIGHT) * w))
            elif not t.startswith("#"):
                missing.append((t, w))
        for t, w in ordinary_weight.items():
            if any(a in matched_terms for a in related.get(t, ())):
                matched += DERIVED * w
                missing.append((t, (1 - DERIVED) * w))
            else:
                missing.append((t, w))
        if self.semantics is not None:
            matched += self.semantics.soft(i, missing, *sims)
        return matched
