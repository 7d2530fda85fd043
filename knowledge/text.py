"""Normalise, tokenise and lemmatise Russian (and a little English) text."""

from __future__ import annotations

import re
from functools import lru_cache

import pymorphy3

LAWS = ("44", "223", "209", "135", "152", "63", "94")
_LAW_NUM = "|".join(LAWS)
# 44-ФЗ, 44 ФЗ, 44фз, ФЗ-44, ФЗ № 44, 44-fz, fz 44, "федеральный закон 44"
_LAW_RE = re.compile(
    rf"(?<![0-9])(?:(?P<a>{_LAW_NUM})\s*-?\s*(?:фз|fz)(?![а-яa-z])"
    rf"|(?:фз|fz)\s*[-№n]?\s*(?P<b>{_LAW_NUM})(?![0-9])"
    rf"|федеральн[а-я]*\s+закон[а-я]*\s*[№n]?\s*(?P<c>{_LAW_NUM})(?![0-9]))"
)
_DECREE_RE = re.compile(
    r"(?<![а-яa-z])(?:пп|постановлени[а-я]*(?:\s+правительства)?)\s*(?:рф\s*)?№?\s*(\d{3,4})"
)
# "по 44", "по 223-му" without ФЗ: a bare 44 or 223 not followed by a unit is the law.
_BARE_LAW_RE = re.compile(
    r"(?<![0-9.,а-яa-z])(44|223)(?:-?м?у|-?м)?(?![0-9а-яa-z.,%])"
    r"(?!\s*(?:%|проц|руб|р\.|тыс|млн|млрд|дн|день|дня|час|мес|лет|год|шт|стат))"
)
# "ст. 93", "статья 93", "по 93 статье", "ст. 4.1": one token per cited article (ст93, ст4д1)
_ART_NUM = r"(\d{1,3})(?:\.(\d{1,2}))?(?![0-9а-яa-z])"
_CITATION_RE = re.compile(
    rf"(?<![а-яa-z])(?:ст\.?|стать[а-я]*)\s*{_ART_NUM}"
    rf"|(?<![0-9.,])(?P<n>\d{{1,3}})(?:-?[йяи])?\s+стать[а-я]*(?![а-я])(?!\s*{_ART_NUM})"
)
_ARTICLE_BEFORE = re.compile(r"(?:ст\.?|стать[а-я]*|ч\.|част[а-я]*|п\.|пункт[а-я]*)\s*$")
_TOKEN_RE = re.compile(r"[a-zа-я0-9]+")
_DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "ё": "е"}
)

STOPWORDS = frozenset(
    [
        "а",
        "скок",  # «скока», «скоко»: chat spelling of «сколько»
        "скоко",
        "че",
        "без",
        "более",
        "бы",
        "был",
        "была",
        "были",
        "было",
        "быть",
        "в",
        "вам",
        "вас",
        "весь",
        "во",
        "вот",
        "все",
        "всё",
        "всего",
        "вы",
        "где",
        "да",
        "даже",
        "для",
        "до",
        "его",
        "ее",
        "если",
        "есть",
        "еще",
        "же",
        "за",
        "здесь",
        "и",
        "из",
        "или",
        "им",
        "их",
        "к",
        "как",
        "какой",
        "какая",
        "какое",
        "какие",
        "каков",
        "когда",
        "кто",
        "ли",
        "либо",
        "меня",
        "мне",
        "мной",
        "мы",
        "на",
        "надо",
        "нам",
        "нас",
        "не",
        "него",
        "нее",
        "нет",
        "ни",
        "них",
        "но",
        "ну",
        "о",
        "об",
        "однако",
        "он",
        "она",
        "они",
        "оно",
        "от",
        "очень",
        "по",
        "под",
        "при",
        "про",
        "с",
        "со",
        "так",
        "также",
        "такой",
        "там",
        "те",
        "тем",
        "то",
        "того",
        "тоже",
        "той",
        "только",
        "том",
        "ты",
        "у",
        "уже",
        "хотеть",
        "хочу",
        "чем",
        "что",
        "чтобы",
        "чей",
        "эта",
        "эти",
        "это",
        "этот",
        "я",
        "мой",
        "наш",
        "ваш",
        "свой",
        "себя",
        "можно",
        "нужно",
        "быть",
        "который",
        "сколько",
        "почему",
        "зачем",
        "подсказать",
        "подскажите",
        "пожалуйста",
        "скажите",
        "вопрос",
        "здравствуйте",
        "добрый",
        "день",
        "привет",
        "спасибо",
        "вообще",
        "просто",
        "вот",
        "ли",
        "сейчас",
        "этот",
        "тот",
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "is",
        "are",
        "be",
        "do",
        "does",
        "how",
        "what",
        "which",
        "who",
        "when",
        "where",
        "why",
        "can",
        "i",
        "we",
        "you",
        "my",
        "our",
        "your",
        "it",
        "this",
        "that",
        "with",
        "about",
        "please",
        "tell",
        "me",
        "there",
        "any",
    ]
)


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")


def normalize(text: str, *, citations: bool = True) -> str:
    """Lower case, ё→е, unified dashes, law and decree numbers as single tokens (44фз, пп1352),
    and, unless `citations` is false, cited articles too (ст93)."""
    text = text.lower().translate(_DASHES)
    text = _LAW_RE.sub(lambda m: f" {m.group('a') or m.group('b') or m.group('c')}фз ", text)
    text = _DECREE_RE.sub(lambda m: f" пп{m.group(1)} ", text)
    text = _BARE_LAW_RE.sub(_bare_law, text)
    return _CITATION_RE.sub(_citation, text) if citations else text


def _citation(m: re.Match[str]) -> str:
    number = m.group("n") or m.group(1)
    return f" ст{number}" + (f"д{m.group(2)} " if m.group(2) else " ")


def _bare_law(m: re.Match[str]) -> str:
    if _ARTICLE_BEFORE.search(m.string[max(0, m.start() - 12) : m.start()]):
        return m.group(0)  # "ст. 44" is an article number, not the law
    return f" {m.group(1)}фз "


def words(text: str, *, citations: bool = True) -> list[str]:
    """Normalised word forms, in order."""
    return _TOKEN_RE.findall(normalize(text, citations=citations))


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    if not word or word.isdigit() or not ("а" <= word[0] <= "я"):
        if word.isascii() and word.isalpha() and len(word) > 3 and word.endswith("s"):
            return word[:-1]
        return word
    if word.endswith("фз") and word[:-2].isdigit():
        return word
    parses = _morph().parse(word)
    return str(parses[0].normal_form).replace("ё", "е") if parses else word


@lru_cache(maxsize=50_000)
def in_dictionary(word: str) -> bool:
    """True for a word pymorphy's dictionary has (in any of its forms, ё written as е): such
    a word is what the user meant, not a typo of another word."""
    if not word or not ("а" <= word[0] <= "я"):
        return False
    return bool(_morph().word_is_known(word))


@lru_cache(maxsize=50_000)
def is_ordinary(word: str) -> bool:
    """True for a word of ordinary Russian: in pymorphy's dictionary and not an abbreviation
    or an organisation's name («гибдд», «ооо»), which name a topic of their own."""
    if not in_dictionary(word):
        return False
    tag = _morph().parse(word)[0].tag
    return not ({"Abbr", "Orgn"} & set(tag.grammemes))


def lemmas(text: str, *, keep_stopwords: bool = False, citations: bool = True) -> list[str]:
    """Lemmas of the text, stopwords dropped unless asked to keep them."""
    out = [lemma(w) for w in words(text, citations=citations)]
    if keep_stopwords:
        return out
    return [t for t in out if t not in STOPWORDS and len(t) > 1]


def is_meaningless(text: str) -> bool:
    """True when the text has no letters or digits at all (only emoji, punctuation, spaces)."""
    return not _TOKEN_RE.search(normalize(text))


# Parts of speech a «не» in front of makes a contrast rather than the topic («если мы не СМП»,
# «в суд, а не в ФАС»): nouns, adjectives, and words pymorphy does not know (abbreviations).
_NEGATABLE = {"NOUN", "ADJF", None}
_SKIPPED_AFTER_NEGATION = {"PREP", "CONJ", "PRCL"}


@lru_cache(maxsize=50_000)
def part_of_speech(word: str) -> str | None:
    if not word or not ("а" <= word[0] <= "я"):
        return None
    parses = _morph().parse(word)
    return str(parses[0].tag.POS) if parses and parses[0].tag.POS else None


@lru_cache(maxsize=50_000)
def is_object(word: str) -> bool:
    """A noun or adjective form that can be the object of a verb or a noun (accusative or
    genitive in one of its parses): «бумагу», «мебели», «медицинских масок», not «школам»."""
    if not word or not ("а" <= word[0] <= "я") or word in STOPWORDS:
        return False
    parses = _morph().parse(word)
    return parses[0].tag.POS in {"NOUN", "ADJF"} and any(
        p.tag.POS in {"NOUN", "ADJF"} and p.tag.case in {"accs", "gent", "gen2"} for p in parses
    )


def negated(tokens: list[str]) -> set[int]:
    """Positions of the nominal words negated by «не» (verbs stay: «не платит», «не подписали»
    are the topic itself)."""
    out: set[int] = set()
    for i, word in enumerate(tokens):
        if word != "не":
            continue
        j = i + 1
        while j < len(tokens) and part_of_speech(tokens[j]) in _SKIPPED_AFTER_NEGATION:
            j += 1
        if j < len(tokens) and tokens[j] != "не" and part_of_speech(tokens[j]) in _NEGATABLE:
            out.add(j)
    return out
