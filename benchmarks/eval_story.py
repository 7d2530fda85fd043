"""Robustness to a story before the question: each dev question after a neutral preamble
(who the firm is, a greeting), answered as it is. Reported: labelled in-scope questions
answered with their article, without and with each preamble; out-of-scope questions declined
with each. The blind sets are never read.

Run: .venv/bin/python -m benchmarks.eval_story
"""

from __future__ import annotations

from benchmarks.eval_typos import DEV, right
from bot.app import build_knowledge
from bot.cli.common import settings_or_exit
from bot.services.evaluation import DECLINED, load_cases

PREAMBLES = (
    "Здравствуйте, мы небольшая фирма из Челябинска, работаем третий год, раньше торговали "
    "только с частными клиентами.",
    "Добрый день! У нас маленькое производство мебели, в прошлом месяце впервые попробовали "
    "участвовать.",
    "Привет, подскажите пожалуйста, я директор ООО, у нас пять сотрудников и склад в области.",
)


def main() -> None:
    kb = build_knowledge(settings_or_exit())
    cases = load_cases(DEV)
    labelled = [c for c in cases if c.expected and not c.out_of_scope]
    out = [c for c in cases if c.out_of_scope]
    clean = sum(right(kb, c, c.question) for c in labelled)
    print(f"dev: {len(labelled)} in scope with an article id, {len(out)} out of scope")
    print(f"  no preamble: right article answered {clean}")
    for preamble in PREAMBLES:
        found = sum(right(kb, c, f"{preamble} {c.question}") for c in labelled)
        declined = sum(kb.ask(f"{preamble} {c.question}").outcome in DECLINED for c in out)
        print(f"  «{preamble[:40]}…»: right {found}, out of scope declined {declined}")


if __name__ == "__main__":
    main()
