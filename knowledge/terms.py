"""The index's term kinds beside plain lemmas: glossary concepts («#...»), prefix stems
(«~...») and stem bigrams («^..._...»), each weighing its own share of a lemma's idf."""

from __future__ import annotations

import itertools

CONCEPT_BOOST = 1.5
STEM_WEIGHT = 0.5  # prefix stems join word families pymorphy keeps apart (подписать ~ подписание)
STEM_LEN = 5
BIGRAM_WEIGHT = 0.5
TERM_FACTOR = {"#": CONCEPT_BOOST, "~": STEM_WEIGHT, "^": BIGRAM_WEIGHT}


def is_word(term: str) -> bool:
    """A plain lemma, not a concept, stem or bigram."""
    return term[0] not in TERM_FACTOR


def stem(token: str) -> str:
    return "~" + token[:STEM_LEN]


def bigrams(tokens: list[str]) -> list[str]:
    """Adjacent word pairs by stem («подписание контракта» ~ «подписать контракт»)."""
    return [f"^{a[:STEM_LEN]}_{b[:STEM_LEN]}" for a, b in itertools.pairwise(tokens)]


def stems(tokens: list[str]) -> list[str]:
    return [stem(t) for t in tokens if len(t) > STEM_LEN and t.isalpha()]
