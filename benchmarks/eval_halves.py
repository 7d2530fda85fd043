"""Dev set in two fixed halves, plus the situations set: an honest check that a retrieval
change generalises without touching the blind test set.

Half A and half B are split by the parity of the MD5 of each question's text, so a question
stays in its half when others are added or reordered. Tune on A and read B (or the other way
round): a change that helps one half and not the other is fitting those questions, not the
language. The blind set (tests/eval/test.yaml) is never read here.

Run: .venv/bin/python -m benchmarks.eval_halves [--failures]
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from bot.app import build_knowledge
from bot.cli.common import settings_or_exit
from bot.services.answers import Answer
from bot.services.evaluation import EvalCase, EvalReport, evaluate, load_cases
from bot.ui.answers import answer_messages
from bot.ui.console_text import html_to_text

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "eval"


def half(case: EvalCase) -> str:
    """ "A" or "B", fixed by the question's text."""
    return "AB"[int(hashlib.md5(case.question.encode("utf-8")).hexdigest(), 16) % 2]


def line(name: str, r: EvalReport) -> str:
    return (
        f"{name:<11}{r.in_scope:>4} in /{r.out_of_scope:>3} out   fact {r.fact_rate:6.1%}   "
        f"wrong {r.wrong_rate:5.1%}   choice {r.suggest_rate:5.1%}   "
        f"declined {r.declined_in_scope_rate:5.1%}   OOS declined {r.decline_rate:6.1%}"
    )


def main() -> None:
    kb = build_knowledge(settings_or_exit())

    def text_of(answer: Answer) -> str:
        return "\n\n".join(html_to_text(m.text) for m in answer_messages(answer))

    dev = load_cases(EVAL / "dev.yaml")
    sets = {
        "dev": dev,
        "dev A": [c for c in dev if half(c) == "A"],
        "dev B": [c for c in dev if half(c) == "B"],
        "dev en": [c for c in dev if c.lang == "en"],
        "situations": load_cases(EVAL / "situations.yaml"),
    }
    reports = {name: evaluate(kb, cases, text_of) for name, cases in sets.items()}
    for name, report in reports.items():
        print(line(name, report))
    if "--failures" in sys.argv[1:]:
        for name in ("dev", "situations"):
            for failure in reports[name].failures:
                print(f"{name}: {failure}")


if __name__ == "__main__":
    main()
