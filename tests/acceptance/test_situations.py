"""Twenty colloquial questions about concrete situations (tests/eval/situations.yaml: a late
payment, a customer silent on acceptance, a rejected guarantee, a bid returned by the
platform, ...) asked through the bot that `smebot run` starts: each answer names its rule
with part and article; and two questions outside procurement get the decline with the
consultant offer.

Issue 14 wants all twenty; KNOWN_MISSES are the questions the bot does not answer with their
rule yet (the base has every rule; the search declines or offers a choice, or picks another
article). A new miss fails the test, and so does a known miss that now passes (remove it
from the list)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.evaluation import load_cases
from tests.acceptance.support import WAIT, BotProcess
from tests.support.consult import DeskAPI

OWNER = 4201
SITUATIONS = Path(__file__).resolve().parents[1] / "eval" / "situations.yaml"
_TAG = re.compile(r"<[^>]+>")
KNOWN_MISSES = frozenset(
    {
        # declined: the three guarantee articles lead close together, none clearly (with the
        # phrasings the requirements article, which holds the rule, is second)
        "отправили бг заказчику в понедельник, сколько дней он может её рассматривать?",
    }
)

# Written for this test (not from an eval set): questions outside procurement that the
# article search alone answered with an article; the classifier's off-topic class
# (knowledge/offtopic.yaml, knowledge.decision.OUTSIDE) turns them into the polite decline.
ELSEWHERE = (
    "как проверить директора контрагента в реестре дисквалифицированных лиц",
    "как зарегистрировать товарный знак для своей пекарни и сколько это стоит",
)


async def reply_text(api: DeskAPI, chat: int, mark: int) -> str:
    """Every message of one reply, up to the one that carries its keyboard, as plain text."""
    texts: list[str] = []
    after = mark
    while True:
        message = await api.next_message(chat, after=after, timeout=WAIT)
        texts.append(html.unescape(_TAG.sub("", message.text)))
        after = next(i for i, s in enumerate(api.sent) if s is message) + 1
        if message.buttons():
            return "\n".join(texts)


async def test_situations_get_their_rule_with_part_and_article(
    desk_api: DeskAPI, bot_db: tuple[str, AsyncEngine], tmp_path: Path
) -> None:
    cases = load_cases(SITUATIONS)
    assert len(cases) == 20 and all(c.fact for c in cases)
    url, _engine = bot_db
    bot = BotProcess(desk_api, tmp_path, {"DATABASE_URL": url})
    await bot.start()
    misses: dict[str, str] = {}
    try:
        for case in cases:
            mark = desk_api.mark()
            desk_api.user_says(OWNER, case.question)
            text = await reply_text(desk_api, OWNER, mark)
            pattern = case.fact_re
            assert pattern is not None
            if not pattern.search(text):
                misses[case.question] = f"want /{case.fact}/, got: {text[:300]!r}"
        for question in ELSEWHERE:
            mark = desk_api.mark()
            desk_api.user_says(OWNER, question)
            text = await reply_text(desk_api, OWNER, mark)
            assert "В базе знаний нет ответа" in text and "консультант" in text, text[:300]
        assert not desk_api.rejections, desk_api.rejections
    finally:
        code = await bot.stop()
    new = {q: why for q, why in misses.items() if q not in KNOWN_MISSES}
    assert not new, "\n".join(f"{q}\n  {why}" for q, why in new.items())
    fixed = KNOWN_MISSES - set(misses)
    assert not fixed, f"answered with their rule now, remove from KNOWN_MISSES: {fixed}"
    assert {c.question for c in cases} >= KNOWN_MISSES
    assert code == 0, bot.output()
