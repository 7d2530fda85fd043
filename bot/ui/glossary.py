"""The glossary as users see it: the editors' synonyms include inflections and misspellings
so that search finds them («тендр», «тендор»); a user is shown only the other names."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from knowledge.glossary import Term

SHOWN_SYNONYMS = 6
# A name this close to the term is a misspelling or an inflection of it («тендор», «тендеры»);
# between two synonyms only near-identical spellings count («черный» / «чёрный»).
_LIKE_TERM = 75.0
_LIKE_SYNONYM = 88.0


def _key(text: str) -> str:
    """«209-ФЗ», «фз 209», «209фз» → one key: lower-case word and number runs, sorted."""
    return " ".join(sorted(re.findall(r"\d+|[^\W\d_]+", text.lower().replace("ё", "е"))))


def shown_synonyms(term: Term, limit: int = SHOWN_SYNONYMS) -> list[str]:
    """Synonyms worth showing: not the term or its full name again, not a spelling variant
    of them or of a synonym already shown."""
    names = [_key(term.term), *([_key(term.full)] if term.full else [])]
    seen: list[str] = []
    shown: list[str] = []
    for synonym in term.synonyms:
        key = _key(synonym)
        if (
            not key
            or any(fuzz.ratio(key, k) >= _LIKE_TERM for k in names)
            or any(fuzz.ratio(key, k) >= _LIKE_SYNONYM for k in seen)
        ):
            continue
        seen.append(key)
        shown.append(synonym)
        if len(shown) == limit:
            break
    return shown
