"""Verbs and the nouns made from them: a question says what happened («площадка вернула
заявку», «заказчик отказался принимать гарантию», «можно ли обжаловать»), the articles name
the act («возврат заявки», «отказ в принятии гарантии», «обжалование»). A verb lemma maps to
its deverbal nouns by rule (-овать -> -ование, -ить -> -ение with its consonant alternation,
-ять -> -ятие, a zero suffix: отказать -> отказ, -ка: задержать -> задержка) and by a small
table of the procurement verbs whose nouns the rules cannot reach (вернуть -> возврат,
принимать -> приемка); only nouns the index vocabulary has are kept, so a rule's guess that
is not a word never matches anything."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable

from knowledge.text import part_of_speech

# Verbs whose nouns the rules below do not derive (another root or prefix, an aspect pair).
IRREGULAR: dict[str, tuple[str, ...]] = {
    "вернуть": ("возврат", "возвращение"),
    "возвращать": ("возврат", "возвращение"),
    "возвратить": ("возврат", "возвращение"),
    "принимать": ("приемка", "принятие", "прием"),
    "принять": ("приемка", "принятие", "прием"),
    "отказываться": ("отказ",),
    "отказывать": ("отказ",),
    "платить": ("оплата", "платеж"),
    "заплатить": ("оплата", "платеж"),
    "оплачивать": ("оплата",),
    "выплачивать": ("выплата",),
    "жаловаться": ("жалоба", "обжалование"),
    "пожаловаться": ("жалоба", "обжалование"),
    "обжаловать": ("обжалование", "жалоба"),
    "обжаловывать": ("обжалование", "жалоба"),
    "расторгать": ("расторжение",),
    "подавать": ("подача",),
    "подать": ("подача",),
    "выдавать": ("выдача",),
    "выдать": ("выдача",),
    "сдавать": ("сдача",),
    "сдать": ("сдача",),
    "передавать": ("передача",),
    "передать": ("передача",),
    "проводить": ("проведение",),
    "провести": ("проведение",),
    "отзывать": ("отзыв",),
    "отозвать": ("отзыв",),
    "поставлять": ("поставка",),
    "продлевать": ("продление",),
    "выигрывать": ("выигрыш",),
    "выиграть": ("выигрыш",),
    "опаздывать": ("опоздание",),
    "опоздать": ("опоздание",),
    "просрочить": ("просрочка",),
    "задерживать": ("задержка",),
    "заключать": ("заключение",),
    "исполнять": ("исполнение",),
    "снижать": ("снижение",),
    "вносить": ("внесение",),
    "рассматривать": ("рассмотрение",),
    "уведомлять": ("уведомление",),
    "изменять": ("изменение",),
    "отменять": ("отмена",),
    "отменить": ("отмена",),
    "отклонять": ("отклонение",),
    "подписывать": ("подписание",),
    "обеспечивать": ("обеспечение",),
    "снимать": ("снятие",),
    "снять": ("снятие",),
}
# Nouns a rule reaches from a verb of another meaning (сделать is not a сделка, ставить not a
# ставка, подписать not a подписка): never derived by rule.
FALSE_FRIENDS = frozenset(
    {"сделка", "ставка", "оказание", "положение", "происхождение", "отношение", "значение",
     "деление", "расход", "заметка", "понятие", "задание", "знание", "подписка", "состав",
     "работа", "отметка", "ссылка", "вход", "ответ"}
)  # fmt: skip
# -ить -> -ение: the stem's last consonant alternates (возвратить -> возвращение, снизить ->
# снижение, утвердить -> утверждение, оформить -> оформление, установить -> установление).
_ALTERNATIONS: dict[str, tuple[str, ...]] = {
    "ст": ("щ",),
    "т": ("щ", "ч"),
    "д": ("жд", "ж"),
    "с": ("ш",),
    "з": ("ж",),
    "б": ("бл",),
    "в": ("вл",),
    "м": ("мл",),
    "п": ("пл",),
    "ф": ("фл",),
    "г": ("ж",),
}


def _alternated(stem: str) -> list[str]:
    for tail in ("ст", *_ALTERNATIONS):
        if tail in _ALTERNATIONS and stem.endswith(tail):
            return [stem[: -len(tail)] + alt for alt in _ALTERNATIONS[tail]]
    return []


def candidates(verb: str) -> list[str]:
    """The nouns a verb lemma may give (some of them not words): the table's, then the rules'."""
    out = list(IRREGULAR.get(verb, ()))
    if verb.endswith(("ся", "сь")):
        return out  # a reflexive verb often means another thing (подписаться, оказаться)
    v = verb
    if v.endswith("овать"):
        out.append(v[:-3] + "ание")  # обжаловать -> обжалование
    elif v.endswith(("ывать", "ивать")):
        x = v[:-5]
        out += [x + "ание", x + "ка"]  # подписывать -> подписание
    elif v.endswith(("ать", "ять")):
        x = v[:-3]
        out += [x + v[-3] + "ние", x, x + "ка", x + "а", v[:-1] + "ие"]
    elif v.endswith(("ить", "еть")):
        x = v[:-3]
        out += [x + "ение", *(a + "ение" for a in _alternated(x)), x, x + "а", x + "ка"]
        out.append(v[:-1] + "ие")  # открыть, взять-like
    elif v.endswith("нуть"):
        x = v[:-4]
        out += [x + "новение", *(a + "ение" for a in _alternated(x)), x]  # расторгнуть
    elif v.endswith("ти"):
        out.append(v[:-2] + "ение")  # внести -> внесение
    table = IRREGULAR.get(verb, ())
    return [
        n
        for n in dict.fromkeys(out)
        if n != verb and len(n) > 3 and (n in table or n not in FALSE_FRIENDS)
    ]


def derivations(vocabulary: Collection[str]) -> dict[str, tuple[str, ...]]:
    """Every verb of the vocabulary -> its nouns in the vocabulary, every such noun -> its
    verbs in the vocabulary (a question may say «возврат» where the article says «вернуть»)."""
    related: dict[str, list[str]] = defaultdict(list)
    for verb in _verbs(vocabulary):
        for noun in nouns_of(verb, vocabulary):
            related[verb].append(noun)
            related[noun].append(verb)
    return {t: tuple(dict.fromkeys(r)) for t, r in related.items()}


def nouns_of(verb: str, vocabulary: Collection[str]) -> tuple[str, ...]:
    """A verb lemma's nouns that the vocabulary has (the verb itself need not be there)."""
    if part_of_speech(verb) != "INFN":
        return ()
    return tuple(n for n in candidates(verb) if n in vocabulary and part_of_speech(n) == "NOUN")


def _verbs(vocabulary: Iterable[str]) -> list[str]:
    return sorted(
        t for t in vocabulary if t[:1].isalpha() and t.endswith(("ть", "ти", "ться", "тись"))
    )
