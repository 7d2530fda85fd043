"""The glossary: abbreviations, synonyms and English terms; concept matching for retrieval."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.text import lemma, lemmas, normalize, words

# English endings and what replaces them to reach a word of the map, tried in order.
_ENGLISH_ENDINGS = (
    ("ies", "y"),
    ("ied", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("n", ""),
    ("ly", ""),
)


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    full: str
    synonyms: tuple[str, ...]
    english: tuple[str, ...]
    description: str

    @property
    def concept(self) -> str:
        """The concept token added to documents and queries that mention this term."""
        return "#" + "".join(words(self.term)) or self.term.lower()


class Glossary:
    def __init__(self, terms: list[Term], translations: dict[str, str] | None = None) -> None:
        self.terms = terms
        self.translations = {k.lower(): words(v) for k, v in (translations or {}).items()}
        # phrase (tuple of lemmas, stopwords kept) -> concepts
        self._phrases: dict[tuple[str, ...], set[str]] = {}
        self._by_key: dict[str, Term] = {}
        for term in terms:
            for phrase in (term.term, term.full, *term.synonyms, *term.english):
                key = tuple(lemma(w) for w in words(phrase))
                if key:
                    self._phrases.setdefault(key, set()).add(term.concept)
            for name in (term.term, *term.synonyms, *term.english):
                self._by_key.setdefault(" ".join(words(name)), term)
        self._max_len = max((len(k) for k in self._phrases), default=1)
        self._english_keys = [k for k in self.translations if k.isalpha() and len(k) >= 4]

    @classmethod
    def load(cls, path: Path) -> Glossary:
        english = _english()
        if not path.exists():
            return cls([], english)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        terms = [
            Term(
                term=str(item["term"]),
                full=str(item.get("full") or ""),
                synonyms=tuple(str(s) for s in item.get("synonyms") or ()),
                english=tuple(str(s) for s in item.get("english") or ()),
                description=str(item.get("description") or ""),
            )
            for item in data.get("terms", [])
        ]
        translations = {str(k): str(v) for k, v in (data.get("translations") or {}).items()}
        return cls(terms, {**english, **translations})

    def translate(self, word_seq: list[str]) -> list[str]:
        """English words replaced by the Russian words the articles use; an inflected form
        the map lacks is looked up by its base («withdrawn», «signed», «penalties»)."""
        out: list[str] = []
        for w in word_seq:
            out.extend(self._english(w) if w.isascii() else [w])
        return out

    def _english(self, word: str) -> list[str]:
        found = self.translations.get(word)
        if found is not None:
            return found
        if word.isalpha() and len(word) > 4:
            for suffix, base in _ENGLISH_ENDINGS:
                if word.endswith(suffix):
                    found = self.translations.get(word[: -len(suffix)] + base)
                    if found is not None:
                        return found
        return [word]

    def knows(self, word: str) -> bool:
        """True for an English word the map translates (itself or by its base)."""
        return self._english(word) != [word]

    def nearest_english(self, word: str) -> str | None:
        """The word of the English map one edit away from a misspelt word («gurantee»,
        «procruement»: two edits from eight letters), with the same first letter."""
        if len(word) < 5 or not word.isalpha():
            return None
        most = 1 if len(word) < 8 else 2
        for match, _distance, _i in process.extract(
            word, self._english_keys, scorer=OSA.distance, score_cutoff=most, limit=3
        ):
            if match[0] == word[0]:
                return str(match)
        return None

    def _matches(self, lemma_seq: list[str]) -> Iterator[tuple[range, set[str]]]:
        """Every glossary phrase in the lemma sequence: its positions and its concepts."""
        n = len(lemma_seq)
        for i in range(n):
            for size in range(1, min(self._max_len, n - i) + 1):
                hit = self._phrases.get(tuple(lemma_seq[i : i + size]))
                if hit:
                    yield range(i, i + size), hit

    def concepts(self, lemma_seq: list[str]) -> list[str]:
        """Concept tokens of every glossary phrase found in the lemma sequence."""
        return [c for _, hit in self._matches(lemma_seq) for c in sorted(hit)]

    def covered(self, lemma_seq: list[str]) -> set[int]:
        """Positions of the lemmas that are part of a glossary phrase («eis», «unified
        information system»): known words, whatever the articles' vocabulary."""
        return {i for where, _ in self._matches(lemma_seq) for i in where}

    def lookup(self, query: str) -> Term | None:
        """The term a user asked about in /glossary (exact, then by lemmas)."""
        key = " ".join(words(query))
        if not key:
            return None
        if key in self._by_key:
            return self._by_key[key]
        concepts = self.concepts([lemma(w) for w in words(query)])
        if concepts:
            for term in self.terms:
                if term.concept == concepts[0]:
                    return term
        return None

    def suggestions(self, query: str, limit: int = 5) -> list[Term]:
        from rapidfuzz import fuzz, process

        names = {t.term: t for t in self.terms}
        matches = process.extract(normalize(query), list(names), scorer=fuzz.WRatio, limit=limit)
        return [names[m[0]] for m in matches if m[1] >= 60]


ENGLISH = Path(__file__).with_name("english.yaml")


def _english() -> dict[str, str]:
    """The wider English word map shipped with the code (knowledge/english.yaml)."""
    if not ENGLISH.exists():
        return {}
    data = yaml.safe_load(ENGLISH.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (data.get("translations") or {}).items()}


def query_lemmas(text: str) -> list[str]:
    """Lemmas with stopwords kept (glossary phrases may contain them)."""
    return lemmas(text, keep_stopwords=True)
