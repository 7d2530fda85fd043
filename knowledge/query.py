"""Reading a question the way the index sees it: glossary translation, negation, typo
correction against the corpus vocabulary, and each word sorted into a term, an unknown word
(maybe a term the base lacks) or ordinary language around the question."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.derivation import nouns_of
from knowledge.index import ArticleIndex
from knowledge.terms import stem
from knowledge.text import (
    STOPWORDS,
    in_dictionary,
    is_object,
    is_ordinary,
    lemma,
    negated,
    words,
)
from knowledge.vocabulary import (
    COLLOQUIAL,
    DOMAINS,
    ENGLISH_FILLER,
    EVERYDAY_CONCEPTS,
    NEIGHBOURS,
    OFF_TOPIC,
    OFF_TOPIC_DF,
    PRIVATE_PARTY,
    PROCUREMENT_FRAME,
    PUBLIC_FRAME,
    PUBLIC_WORDS,
    TIE_WORDS,
    UNCOVERED,
)

# A dictionary word no article uses («мебель», «пятница», «выложили», «опаздываем») is ordinary
# language around the question, not a procurement term the base lacks: it weighs this much in
# the question's total (a word pymorphy does not know — jargon, an abbreviation, garbage —
# still weighs the maximum idf, and so do the terms of UNCOVERED).
ORDINARY = 0.5
# An ordinary noun names a thing, and may be the topic («коммуналка», «парковка», «вклад»):
# it weighs more than an ordinary verb or adverb, which frames the question («выложили»,
# «опаздываем», «насчитал»).
ORDINARY_NOUN = 4.0
OSA_FROM = 6  # words this long are also corrected by edit distance (_closest)
MAX_TYPOS = 50_000  # corrections remembered per index (the memo is emptied when full)


# Words that open the question itself in a message that also tells its story («Мы поставили
# бумагу в школу, акт подписали три недели назад. Сколько заказчик может тянуть с оплатой?»).
INTERROGATIVES = frozenset(
    {"сколько", "как", "какой", "каков", "когда", "почему", "зачем", "куда", "где", "кто",
     "чем", "ли", "можно", "нельзя", "нужно", "надо", "how", "what", "when", "where", "which",
     "who", "why", "can", "could", "should", "must"}
)  # fmt: skip
# Words of buying and delivering: the nouns right after them, with their adjectives, name what
# is bought («поставили бумагу в школу», «опаздываем с поставкой мебели», «закупка шин»). Those
# goods do not decide which rule applies, so they do not count in a hit's coverage.
SUPPLY = frozenset(
    {"поставка", "поставить", "поставлять", "закупка", "закупать", "закупить", "купить",
     "покупать", "покупка", "продать", "продавать", "продажа", "привезти", "отгрузить",
     "отгружать", "завезти"}
)  # fmt: skip
MAX_GOODS = 4
GOODS_DF = 5


def goods(tokens: list[str], df: Mapping[str, int]) -> set[str]:
    """Lemmas of what a question says is bought or delivered (after a word of SUPPLY), up to
    a word many articles use (GOODS_DF): «долг заказчика» ends at «заказчик»."""
    out: set[str] = set()
    for i, w in enumerate(tokens):
        if lemma(w) not in SUPPLY:
            continue
        taken = 0
        j = i + 1
        while j < len(tokens) and taken < MAX_GOODS:
            if tokens[j] == "и" and j + 1 < len(tokens) and is_object(tokens[j + 1]):
                j += 1
                continue
            lem = lemma(tokens[j])
            if not is_object(tokens[j]) or lem in SUPPLY or df.get(lem, 0) >= GOODS_DF:
                break
            out.add(lem)
            taken += 1
            j += 1
    return out


_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;\n]*")


def _asks(text: str) -> bool:
    """A question word in the text, in any of its forms («какие» is «какой»)."""
    found = words(text)
    return bool(INTERROGATIVES & {*found, *map(lemma, found)})


def sentences(query: str) -> list[str]:
    """The message's sentences that hold a word."""
    return [s for s in _SENTENCE.findall(query) if words(s)]


def focus_text(query: str) -> str | None:
    """The question proper — from the clause where the last asking sentence starts asking
    to its end; the last sentence when none asks — or None when that is the whole message."""
    told = sentences(query)
    asking = [s for s in told if "?" in s or _asks(s)]
    if not asking and len(told) < 2:
        return None
    sentence = (asking or told)[-1]
    clauses = sentence.split(",")
    start = next((i for i, c in enumerate(clauses) if _asks(c)), 0)
    focus = ",".join(clauses[start:])
    if len(told) == 1 and start == 0:
        return None
    return focus


@dataclass(frozen=True, slots=True)
class QueryParts:
    """A question as the index sees it."""

    tokens: list[str]  # corpus lemmas (typos corrected) and glossary concepts
    unknown: list[str]  # words that may be procurement terms the base lacks
    ordinary: list[str]  # dictionary words no article uses: neutral context
    off_topic: bool
    lemmas: list[str]  # content lemmas of every word, for the semantic layer
    uncovered: bool = False  # a term of UNCOVERED that no article uses
    translated: bool = False  # English words were put into Russian (knowledge.glossary)
    # a token's verbs or deverbal nouns in the articles («возврат» for «вернула»), not tokens
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    goods: frozenset[str] = frozenset()  # what the question says is bought (goods())


def correct(index: ArticleIndex, word: str) -> str | None:
    """Map a misspelt word to a known lemma, or None when nothing is close enough."""
    lem = lemma(word)
    if lem in index.df:
        return lem
    if len(word) < 4 or word.isdigit() or in_dictionary(word):
        return None  # «приема» is «прием», not a misspelt «приемка»
    if word in index.typos:
        return index.typos[word]
    if len(index.typos) >= MAX_TYPOS:
        index.typos.clear()
    index.typos[word] = found = _closest(index, word, lem)
    return found


def _closest(index: ArticleIndex, word: str, lem: str) -> str | None:
    """The corpus word or lemma nearest a misspelt word (rapidfuzz), if close enough."""
    cutoff = 90 if len(word) < 6 else 85
    for candidates, source in ((index.surface_keys, word), (index.lemma_keys, lem)):
        for match, _score, _i in process.extract(
            source, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3
        ):
            if match[0] == source[0]:  # typos rarely hit the first letter
                return index.surface.get(match, match)
    if len(word) >= OSA_FROM:
        # one swapped, missing, doubled or wrong letter (two in a long word): «зяавок»,
        # «зарпос», «напсиать» are a ratio of 83–87, one edit in Damerau's sense
        most = 1 if len(word) < 8 else 2
        for match, _d, _i in process.extract(
            word, index.surface_keys, scorer=OSA.distance, score_cutoff=most, limit=3
        ):
            if match[0] == word[0]:
                return index.surface.get(match, match)
    return None


def is_ordinary_word(word: str, lem: str) -> bool:
    """A word of ordinary language: in pymorphy's dictionary (or an English word the
    vectors know), not a term of the neighbouring domains the base does not cover."""
    if lem in UNCOVERED or word in UNCOVERED:
        return False
    if word.isascii():
        # English the glossary does not translate is ordinary language («real», «talk»);
        # a question made only of such words has no procurement signal and is declined
        return word.isalpha()
    return is_ordinary(word)


def _related(
    index: ArticleIndex,
    content: list[str],
    tokens: list[str],
    derived: dict[str, tuple[str, ...]],
    glossed: set[str],
) -> dict[str, tuple[str, ...]]:
    """Words of the same family the articles use instead of a question's word (a verb's
    deverbal noun and back), unless the glossary or the stem prefix joins them already."""
    related = {}
    for t in dict.fromkeys(content):
        if t in glossed:
            continue
        alts = [a for a in (*derived.get(t, ()), *index.related.get(t, ())) if a not in tokens]
        if t in index.df:  # a word of the same stem prefix is its family already (terms)
            alts = [a for a in alts if stem(a) != stem(t)]
        if alts:
            related[t] = tuple(dict.fromkeys(alts))
    return related


SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+|\n+")
PAST_RE = re.compile(
    r"\b(?:раньше|ранее|прежде|до\s+этого|previously|used\s+to|before\s+that)\b", re.IGNORECASE
)
NOT_PUBLIC_RE = re.compile(r"\bnot\s+(?:a\s+|the\s+)?(?:government|state|public)\b", re.IGNORECASE)


def _private(query: str, tokens: set[str]) -> bool:
    """The question calls its counterparty private (PRIVATE_PARTY, in a sentence that is not
    about the firm's past: «раньше торговали только с частными клиентами» is the usual
    preamble to a procurement question) and names nothing public (PUBLIC_WORDS as written,
    PUBLIC_FRAME among its lemmas and concepts)."""
    said: set[str] = set()
    for sentence in SENTENCE_RE.split(query):
        if not PAST_RE.search(sentence):
            said |= {w.lower() for w in words(sentence)}
    said |= {lemma(w) for w in said}
    if not PRIVATE_PARTY & said or PUBLIC_WORDS & said:
        return False
    if NOT_PUBLIC_RE.search(query):  # «a private client, not the government»
        tokens = tokens - {"государственный"}
    return not PUBLIC_FRAME & tokens


def _off_topic(named: bool, seq: list[str], concepts: list[str], private: bool = False) -> bool:
    """Off-topic: a word of OFF_TOPIC (`named`) or a pair of NEIGHBOURS, in a question
    that nothing ties to public procurement (PROCUREMENT_FRAME): with such a tie, the
    off-topic word names what is bought («поставили автомобиль по госконтракту»). A word of
    a neighbouring domain (DOMAINS) needs a looser tie: a word of TIE_WORDS or a concept
    of procurement itself (not EVERYDAY_CONCEPTS). A private counterparty (`private`:
    PRIVATE_PARTY, nothing of PUBLIC_FRAME or PUBLIC_WORDS) is off-topic."""
    if private:
        return True
    if PROCUREMENT_FRAME & {*seq, *concepts}:
        return False
    words_ = set(seq)
    if DOMAINS & words_ and not (
        TIE_WORDS & words_ or any(c not in EVERYDAY_CONCEPTS for c in concepts)
    ):
        return True
    return named or any(a & words_ and b & words_ for a, b in NEIGHBOURS)


def english_typo(index: ArticleIndex, word: str) -> str:
    """An English word the map does not translate and the word vectors do not know (so no
    word of ordinary English either: «contact» stays) put right when a word of the map is an
    edit or two away («gurantee» -> «guarantee»); any other word as it is."""
    if not (word.isascii() and word.isalpha()) or index.semantics is None:
        return word
    glossary = index.glossary
    if glossary.knows(word) or word in index.semantics.vectors:
        return word
    key = "en:" + word
    if key not in index.typos:
        if len(index.typos) >= MAX_TYPOS:
            index.typos.clear()
        index.typos[key] = glossary.nearest_english(word)
    return index.typos[key] or word


def parse_query(index: ArticleIndex, query: str) -> QueryParts:
    glossary = index.glossary
    original = [english_typo(index, w) for w in words(query)]
    translated = glossary.translate(original)
    contrast = negated(translated)  # «если мы не СМП»: СМП is not what is asked about
    raw = [w for i, w in enumerate(translated) if i not in contrast]
    seq: list[str] = []
    unknown: list[tuple[int, str]] = []
    ordinary: list[tuple[int, str]] = []
    off_topic = False
    uncovered = False
    derived: dict[str, tuple[str, ...]] = {}
    for w in raw:
        lem = lemma(w)
        if COLLOQUIAL.get(lem, "") in index.df:
            w = lem = COLLOQUIAL[lem]  # «скинули цену»: the articles say «снизить»
        if (lem in OFF_TOPIC or w in OFF_TOPIC) and index.df.get(lem, 0) < OFF_TOPIC_DF:
            off_topic = True
        if (lem in UNCOVERED or w in UNCOVERED) and lem not in index.df:
            uncovered = True
        if lem in STOPWORDS or len(lem) < 2 or w in ENGLISH_FILLER:
            seq.append(lem)
            continue
        if w.isdigit() and w not in index.df and "ст" + w in index.df:
            seq.append("ст" + w)  # «закупка по 93-й»: the articles cite it as «ст. 93»
            continue
        if lem not in index.df and (nouns := nouns_of(lem, index.df)):
            derived[lem] = nouns  # «вернула заявку»: the articles say «возврат заявки»
        fixed = correct(index, w)
        if fixed is None:
            if w.isdigit():
                pass  # a number no article has («27 %», «500 млн») is context
            elif is_ordinary_word(w, lem):
                ordinary.append((len(seq), lem))
            else:
                unknown.append((len(seq), w))
            seq.append(lem)
        else:
            seq.append(fixed)
    concepts = glossary.concepts(seq)
    private = _private(query, {*seq, *concepts})
    off_topic = _off_topic(off_topic, seq, concepts, private)
    covered = glossary.covered(seq)  # «eis» is not in the articles but is a term
    if translated != original:
        concepts += [
            c for c in glossary.concepts([lemma(w) for w in original]) if c not in concepts
        ]
    tokens = [t for t in seq if t not in STOPWORDS and len(t) > 1 and t in index.df]
    content = [t for t in seq if t not in STOPWORDS and len(t) > 1 and not t.isdigit()]
    glossed = {seq[i] for i in covered}  # the glossary already joins their word family
    related = _related(index, content, tokens, derived, glossed)
    return QueryParts(
        tokens + concepts,
        [w for i, w in unknown if i not in covered],
        [w for i, w in ordinary if i not in covered],
        off_topic,
        content,
        uncovered,
        translated != original,
        related,
        frozenset(goods(raw, index.df)),
    )
