"""Robustness to typos: the dev questions with script-made slips, answered as they are.

Each question gets two random slips (a letter dropped, two letters swapped or a letter
doubled) in words of six letters or more, with a fixed seed. Reported: in-scope questions with
an article id answered with that article, clean and with typos; out-of-scope questions
declined with typos. No eval set is tuned here; the blind sets are never read.

Run: .venv/bin/python -m benchmarks.eval_typos [SEED ...]   (default seeds 3 5 7)
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from bot.app import build_knowledge
from bot.cli.common import settings_or_exit
from bot.services.answers import KnowledgeBase
from bot.services.evaluation import DECLINED, EvalCase, load_cases

DEV = Path(__file__).resolve().parents[1] / "tests" / "eval" / "dev.yaml"
SLIPS = 2
MIN_LEN = 6


def with_typos(question: str, rng: random.Random) -> str:
    """The question with SLIPS random slips in its words of MIN_LEN letters or more."""
    ws = question.split()
    long_words = [i for i, w in enumerate(ws) if len(w) >= MIN_LEN and w.isalpha()]
    for i in rng.sample(long_words, min(SLIPS, len(long_words))):
        w = ws[i]
        k = rng.randrange(1, len(w) - 1)
        op = rng.choice("dst")
        if op == "d":
            w = w[:k] + w[k + 1 :]
        elif op == "s":
            w = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
        else:
            w = w[:k] + w[k] + w[k:]
        ws[i] = w
    return " ".join(ws)


def right(kb: KnowledgeBase, case: EvalCase, question: str) -> bool:
    answer = kb.ask(question)
    return (
        answer.article is not None
        and answer.outcome == "answer"
        and (answer.article.id in case.acceptable)
    )


def main() -> None:
    kb = build_knowledge(settings_or_exit())
    cases = load_cases(DEV)
    labelled = [c for c in cases if c.expected and not c.out_of_scope]
    out = [c for c in cases if c.out_of_scope]
    clean = sum(right(kb, c, c.question) for c in labelled)
    seeds = [int(s) for s in sys.argv[1:]] or [3, 5, 7]
    print(f"dev: {len(labelled)} in scope with an article id, {len(out)} out of scope")
    print(f"  clean: right article answered {clean}")
    for seed in seeds:
        rng = random.Random(seed)
        typo_right = sum(right(kb, c, with_typos(c.question, rng)) for c in labelled)
        declined = sum(kb.ask(with_typos(c.question, rng)).outcome in DECLINED for c in out)
        print(
            f"  typos, seed {seed}: right article answered {typo_right}, "
            f"out of scope declined {declined}"
        )


if __name__ == "__main__":
    main()
