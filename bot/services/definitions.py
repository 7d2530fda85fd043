"""«Что такое НМЦК?»: a question that asks what a glossary term means gets the glossary's
definition when the best article is about something else (the search ranked the bid-security
article first for «что такое нмцк»: it mentions НМЦК in every figure)."""

from __future__ import annotations

import re

from knowledge.glossary import Glossary, Term
from knowledge.text import lemma, words

# «и зачем оно мне», «и при чём они к закупкам», «and why does it matter»: what a term is for
# asked together with what it is — the glossary's description says both
_WHAT_FOR = (
    r"(?:\s*[,—-]?\s*(?:и|а|and)\s+(?:зачем|для\s+чего|при\s*ч[её]м|как\s+с\s+ним\w*|"
    r"why|what\s+for|how\s+does\s+it)\b[^?!.]{0,60})?"
)
_ASKS_MEANING = re.compile(
    r"^\s*(?:а\s+)?(?:что\s+(?:такое|значит|означает|это\s+за)|что\s+за|расшифру\w*|"
    r"кто\s+так(?:ие|ой|ая)|"
    r"what\s+(?:is|does|are)(?:\s+an?|\s+the)?|what's(?:\s+an?)?|who\s+are)\s+"
    rf"(?P<term>[^?!.,]{{1,60}}?)(?:\s+(?:mean|means|stand\s+for))?{_WHAT_FOR}\s*[?!.]*\s*$",
    re.IGNORECASE,
)
# the term first: «КТРУ это что?», «МЧД — что это такое и зачем оно мне»
_TERM_FIRST = re.compile(
    r"^\s*(?:а\s+)?(?P<term>[^?!.,—-]{1,40}?)\s*[—-]?\s*(?:это\s+)?"
    r"(?:что(?:\s+это)?(?:\s+такое)?|кто\s+так(?:ие|ой|ая)|что\s+за\s+зверь)"
    rf"(?:\s+такое)?{_WHAT_FOR}\s*[?!.]*\s*$",
    re.IGNORECASE,
)
MAX_TERM_WORDS = 4


def defined_term(glossary: Glossary, question: str) -> Term | None:
    """The glossary term `question` asks the meaning of, if it asks only that."""
    m = _ASKS_MEANING.match(question) or _TERM_FIRST.match(question)
    if m is None:
        return None
    asked = m.group("term").strip(" «»\"'")
    if not asked or len(words(asked)) > MAX_TERM_WORDS:
        return None
    term = glossary.lookup(asked)
    if term is None:
        return None
    # only the term itself, not a question about one of its figures («what is the contract
    # performance security size» asks for a number, not a definition)
    names = (term.term, term.full, *term.synonyms, *term.english)
    return term if _lemmas(asked) in [_lemmas(n) for n in names if n] else None


def _lemmas(text: str) -> set[str]:
    return {lemma(w) for w in words(text)}


TITLE_HEAD = 5  # words of a title that say what the article is about


def is_about(title: str, term: Term) -> bool:
    """The article is about the term: its title begins with it («СОНКО в закупках — …»,
    «Что такое спецсчёт…»), by its name, full name or a synonym. A title that names it later
    («Требование привлечь субподрядчиков из числа СМП») is about something else."""
    have = {lemma(w) for w in words(title)[:TITLE_HEAD]}
    names = (term.term, term.full, *term.synonyms)
    return any(name and _lemmas(name) <= have for name in names)
