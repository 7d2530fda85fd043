"""Where the base ends (issue 14): a firm's own affairs in the neighbouring domains — taxes,
staff, customs, its own customers and loans — are declined, whatever words they share with
the articles, unless something ties the question to procurement."""

from __future__ import annotations

import pytest

from bot.services.answers import KnowledgeBase


@pytest.mark.parametrize(
    "question",
    [
        "до какого числа платить авансовый платёж по усн за квартал",
        "какая ставка ндс на детские товары",
        "как вернуть переплату по налогу на прибыль",
        "how do I reclaim VAT paid on imported goods",
        "сколько дней ждать объяснительную за прогул",
        "как оформить трудовой договор с бухгалтером на полставки",
        "can I fire an employee during probation",
        "сколько стоит растаможка станка из китая",
        "покупатель требует деньги за бракованный чайник, сколько у нас дней",
        "какой банк даст кредит на покупку склада для ооо",
    ],
)
def test_a_firms_own_affairs_in_neighbouring_domains_are_off_topic(
    kb: KnowledgeBase, question: str
) -> None:
    assert kb.index.parse_query(question).off_topic
    assert kb.ask(question).outcome == "off_topic"


@pytest.mark.parametrize(
    "question",
    [
        "нас заставляют снизить цену на сумму ндс потому что мы на усн",
        "где взять кредит на исполнение госконтракта",
        "налоговая выдаёт подпись для торгов бесплатно?",
        "какой ндс указывать в заявке на аукцион если мы на упрощёнке",
    ],
)
def test_the_same_domains_tied_to_procurement_stay_in_scope(
    kb: KnowledgeBase, question: str
) -> None:
    # the price, the contract, the auction or the bid tie the tax or the loan to procurement
    assert not kb.index.parse_query(question).off_topic
    assert kb.ask(question).outcome not in {"off_topic", "none"}


@pytest.mark.parametrize(
    "question",
    [
        "Отгрузили мебель частной гостинице, акт подписали, а оплаты нет уже полгода. "
        "Какую неустойку можно с них требовать и куда идти?",
        "Наш покупатель — частник, взял партию плитки с отсрочкой и пропал. Как вернуть деньги?",
        "Our buyer is a private company, it rejected the delivery. Can we claim a penalty?",
        "Продаём через маркетплейс, он удержал штраф из выплаты. Как оспорить?",
    ],
)
def test_a_deal_with_a_private_counterparty_is_off_topic(kb: KnowledgeBase, question: str) -> None:
    assert kb.ask(question).outcome == "off_topic"


@pytest.mark.parametrize(
    "question",
    [
        # the firm's past with private clients is the usual preamble to a procurement question
        "Раньше работали только с частными заказчиками. Теперь выиграли аукцион на поставку "
        "бумаги — сколько дней у нас на подписание контракта?",
        # a private firm in public procurement
        "Мы частная клиника и участвуем в аукционе больницы. Какое нужно обеспечение заявки?",
        "Может ли частная компания участвовать в госзакупках?",
    ],
)
def test_a_private_firm_in_public_procurement_stays_in_scope(
    kb: KnowledgeBase, question: str
) -> None:
    assert not kb.index.parse_query(question).off_topic
    assert kb.ask(question).outcome in ("answer", "suggest")  # what the search finds


@pytest.mark.parametrize(
    "question",
    [
        "как купить квартиру с торгов у судебных приставов",
        "сколько ждать регистрации товарного знака в роспатенте",
        "how long does customs clearance of a machine from Germany take",
    ],
)
def test_neighbouring_institutions_are_declined(kb: KnowledgeBase, question: str) -> None:
    assert kb.ask(question).outcome in ("none", "off_topic")
