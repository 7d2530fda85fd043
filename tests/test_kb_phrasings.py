"""An article's phrasings (more ways owners ask it) order the articles but stay out of the
base's vocabulary and of the confidence: an owner's slang finds the article it was written
for, and an off-topic question in the same slang does not look like a strong match."""

from __future__ import annotations

import dataclasses

from knowledge.loader import Article
from knowledge.search import SearchIndex
from tests.factories import article

BODY = (
    "Заказчик оплачивает поставленный товар после подписания документа о приёмке. "
    "Срок оплаты указан в контракте, пени начисляются за каждый день просрочки оплаты. "
)


def _article(id_: str, title: str) -> Article:
    return article(id_, title, BODY * 3, section="execution")


ARTICLES = [
    _article("payment-term", "Срок оплаты по контракту"),
    _article("payment-penalty", "Пени за просрочку оплаты по контракту"),
]
SLANG = "заказчик зажал деньги за товар"


def test_phrasings_order_the_articles() -> None:
    bare = SearchIndex(ARTICLES, semantic=False)
    phrased = SearchIndex(
        [ARTICLES[0], dataclasses.replace(ARTICLES[1], phrasings=(SLANG + ", что делать?",))],
        semantic=False,
    )
    before = [h.article.id for h in bare.search(SLANG).hits]
    after = phrased.search(SLANG).hits
    assert before[0] == "payment-term"  # the title's «срок оплаты» ties break the other way
    assert after[0].article.id == "payment-penalty"
    # the phrasing's words rank it, they are not the article's own evidence
    assert after[0].own is not None and after[0].own < after[0].score
    assert after[0].evidence == after[0].own


def test_phrasing_words_do_not_join_the_vocabulary() -> None:
    phrased = SearchIndex(
        [ARTICLES[0], dataclasses.replace(ARTICLES[1], phrasings=(SLANG,))], semantic=False
    )
    assert "зажать" not in phrased.df and "зажать" in phrased.phrase_postings.slices
    parts = phrased.parse_query(SLANG)
    assert "зажать" not in parts.tokens and "зажать" in parts.ordinary  # everyday language
