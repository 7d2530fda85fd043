"""`smebot kb eval`: answer quality on a labelled question set."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.services.answers import KnowledgeBase

DECLINED = frozenset({"none", "off_topic", "small_talk", "empty"})


@dataclass(frozen=True, slots=True)
class EvalCase:
    question: str
    expected: str | None
    also: tuple[str, ...] = ()

    @property
    def acceptable(self) -> set[str]:
        return {self.expected, *self.also} if self.expected else set()


@dataclass
class EvalReport:
    in_scope: int = 0
    out_of_scope: int = 0
    top1: int = 0
    top3: int = 0
    answered_correctly: int = 0
    answered_wrongly: int = 0
    declined_correctly: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.in_scope if self.in_scope else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.in_scope if self.in_scope else 0.0

    @property
    def decline_rate(self) -> float:
        return self.declined_correctly / self.out_of_scope if self.out_of_scope else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "in_scope": self.in_scope,
            "out_of_scope": self.out_of_scope,
            "top1": round(self.top1_rate, 4),
            "top3": round(self.top3_rate, 4),
            "out_of_scope_declined": round(self.decline_rate, 4),
            "answered_correctly": self.answered_correctly,
            "answered_wrongly": self.answered_wrongly,
        }


def load_cases(path: Path) -> list[EvalCase]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        EvalCase(str(item["q"]), item.get("expected"), tuple(item.get("also") or ()))
        for item in data.get("questions", [])
    ]


def evaluate(kb: KnowledgeBase, cases: list[EvalCase]) -> EvalReport:
    """Ranking top-1/top-3 over in-scope questions, decline rate over out-of-scope ones, and
    how often the bot answered outright correctly or wrongly (what users see)."""
    report = EvalReport()
    for case in cases:
        answer = kb.ask(case.question)
        offered = [h.article.id for h in kb.index.search(case.question, k=3).hits]
        if case.expected is None:
            report.out_of_scope += 1
            if answer.outcome in DECLINED:
                report.declined_correctly += 1
            else:
                report.failures.append(
                    f"NOT DECLINED [{answer.outcome}] {case.question} -> {offered[:1]}"
                )
            continue
        report.in_scope += 1
        ok = case.acceptable
        if offered[:1] and offered[0] in ok:
            report.top1 += 1
        if ok & set(offered[:3]):
            report.top3 += 1
        if answer.outcome == "answer":
            if answer.article and answer.article.id in ok:
                report.answered_correctly += 1
            else:
                report.answered_wrongly += 1
        if not (offered[:1] and offered[0] in ok):
            shown = f"{answer.outcome} {answer.confidence:.2f}"
            report.failures.append(
                f"MISS [{shown}] {case.question} -> {offered[:3]} (want {case.expected})"
            )
    return report
