"""What the search decides: the hits with their confidence, and whether to answer, offer a
choice or decline."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from knowledge.loader import Article
from knowledge.text import part_of_speech

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
# article about a third of the time). 1.08 until the phrasings doubled on 2026-12-01: their
# BM25 brings runners-up closer, and 1.05 gave both dev halves their facts back (A 83.3 → 84.0,
# B 83.1 → 84.4 %; wrong A 2.6 → 3.2, B 2.4 %).
CLEAR = 1.05
SURE = 0.7
# A clear leader is answered below ANSWER (the next articles are offered as buttons): its
# confidence is at least LEADER and its score at least LEAD times the runner-up's.
LEADER = 0.5
LEAD = 1.3
# A leader the bot would offer among alternatives is answered when the classifier, a second
# reading trained on the articles alone (knowledge.classifier), ranks it first with at least
# this probability (the alternatives stay as buttons).
AGREE = 0.4
# The classifier's outside class (knowledge/offtopic.yaml: messages the bot declines) taking
# at least this share of its reading declines a question whose leader is below SURE: the bot
# says it found nothing and offers a consultant (on dev, with the doubled phrasings: 3 more
# out-of-scope questions declined, 212 of 221, and 4–8 more on each typo variant of dev; no
# in-scope question declined by it; a story is read by its question proper too, so a
# preamble («привет, я директор…») does not decide it).
OUTSIDE = 0.5

# A question whose words together weigh less than this (in idf) is made only of words many
# articles share («статья», «закупка», «контракт», «обеспечение», «223»): too vague to answer
# outright, whatever it matches, so the bot offers articles to choose from instead.
VAGUE = 1.5
# With ordinary words around it, a question needs this much weight (idf) of article words, or
# a glossary term, to be about procurement at all («какой айфон лучше купить» is not).
MIN_SIGNAL = 3.0


@dataclass(frozen=True, slots=True)
class Hit:
    article: Article
    score: float
    confidence: float
    # the score without the phrasings' (knowledge.index.PHRASE_WEIGHT): the article's own
    # evidence, which a clear lead below ANSWER must show
    own: float | None = None

    @property
    def evidence(self) -> float:
        return self.score if self.own is None else self.own


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
    law_named: bool = False  # the question names 44-ФЗ or 223-ФЗ
    # the question proper alone (knowledge.query.focus_text) is answered with the same leader
    agreed: bool = False
    # articles the question proper moved (knowledge.search.FOCUS_RANK), with the confidence
    # they had in the story's own order
    moved: Mapping[str, float] = field(default_factory=dict)
    # the classifier's probability for the leader when it ranks the leader first too
    # (knowledge.classifier), else 0
    classified: float = 0.0
    # the classifier's probability that the question is like none of the articles but like
    # the messages the bot declines (knowledge/offtopic.yaml)
    outside: float = 0.0

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def elsewhere(self) -> bool:
        """The classifier reads the question as one of the messages the bot declines and the
        leader is not sure enough to overrule it."""
        return bool(self.hits) and self.outside >= OUTSIDE and self.hits[0].confidence < SURE

    @property
    def confident(self) -> bool:
        if not self.hits or self.off_topic or self.vague or self.no_signal or self.uncovered:
            return False
        if self.elsewhere:
            return False
        if self.agreed:
            return True
        best = self.hits[0]
        rivals = [h for h in self.hits[1:] if not self._counterpart(best, h)]
        runner_up = rivals[0].score if rivals else 0.0
        if best.confidence >= ANSWER and (
            best.score >= CLEAR * runner_up or best.confidence >= SURE
        ):
            return True
        own_runner_up = rivals[0].evidence if rivals else 0.0
        if (
            best.confidence >= LEADER
            and best.score >= LEAD * runner_up
            and best.evidence >= LEAD * own_runner_up
        ):
            return True
        return self.classified >= AGREE and best.confidence >= self._floor

    @property
    def _floor(self) -> float:
        """The confidence from which an article is offered (SUGGEST_AROUND with an ordinary
        noun or English word no article uses around the question)."""
        if any(part_of_speech(w) == "NOUN" or w.isascii() for w in self.ordinary):
            return SUGGEST_AROUND
        return SUGGEST

    def _counterpart(self, best: Hit, other: Hit) -> bool:
        """A 223-ФЗ-only article behind a leader that covers 44-ФЗ, for a question that names
        no law: the leader answers it (44-ФЗ articles say where 223-ФЗ differs), the other is
        offered beside the answer rather than held against it."""
        return (
            not self.law_named
            and other.article.applies_to == "223-ФЗ"
            and best.article.applies_to != "223-ФЗ"
        )

    @property
    def suggestions(self) -> tuple[Hit, ...]:
        if self.off_topic or self.no_signal or self.uncovered or self.elsewhere or self.confident:
            return ()
        return tuple(h for h in self.hits[:3] if h.confidence >= self._floor)


def confidence(
    score: float, coverage: float, margin: float, top: float, own: float | None = None
) -> float:
    """Blend of how much of the question the article covers, how strong the match is
    in absolute terms (`own`: the score without the phrasings', when it differs), and (for the
    first hit) how clearly it beats the runner-up."""
    strength = 1 - math.exp(-(score if own is None else own) / 6.0)
    relative = score / top if top else 0.0
    return max(0.0, min(1.0, (0.5 * coverage + 0.35 * strength + 0.15 * margin) * relative))
