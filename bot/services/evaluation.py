"""`smebot kb eval`: answer quality on a labelled question set.

A case is a question with what a right answer must show:

* `fact:` a regular expression (case-insensitive) that must occur in the text the user gets
  (the rendered article), and/or
* `expected:` the id of the right article (`also:` more acceptable ids), used for the ranking
  figures (top-1/top-3) and, when given, for the answer check as well;
* `out_of_scope: true` (or the older `expected: null` with no fact): the bot must decline.

Two sets live in tests/eval: `dev.yaml` (the weights are tuned on it) and `test.yaml` (blind:
written without looking at the ranking, never used for tuning, run for reporting only).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.services.answers import Answer, KnowledgeBase

DECLINED = frozenset({"none", "off_topic", "small_talk", "empty", "too_long"})
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class EvalCase:
    question: str
    expected: str | None = None
    also: tuple[str, ...] = ()
    fact: str | None = None
    out_of_scope: bool = False
    lang: str = ""
    note: str = ""

    @property
    def acceptable(self) -> set[str]:
        return {self.expected, *self.also} if self.expected else set()

    @property
    def fact_re(self) -> re.Pattern[str] | None:
        return re.compile(self.fact, re.IGNORECASE) if self.fact else None


@dataclass
class EvalReport:
    in_scope: int = 0
    out_of_scope: int = 0
    ranked: int = 0  # in-scope cases with an expected article id
    top1: int = 0
    top3: int = 0
    answered_correctly: int = 0  # answered, the fact is in the text, the article is acceptable
    answered_wrongly: int = 0  # answered, but the fact is missing or the article is wrong
    suggested: int = 0  # in scope, offered a choice of articles
    declined_in_scope: int = 0  # in scope, declined outright
    declined_correctly: int = 0  # out of scope and declined
    failures: list[str] = field(default_factory=list)

    @staticmethod
    def _rate(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def fact_rate(self) -> float:
        return self._rate(self.answered_correctly, self.in_scope)

    @property
    def wrong_rate(self) -> float:
        return self._rate(self.answered_wrongly, self.in_scope)

    @property
    def suggest_rate(self) -> float:
        return self._rate(self.suggested, self.in_scope)

    @property
    def declined_in_scope_rate(self) -> float:
        return self._rate(self.declined_in_scope, self.in_scope)

    @property
    def top1_rate(self) -> float:
        return self._rate(self.top1, self.ranked)

    @property
    def top3_rate(self) -> float:
        return self._rate(self.top3, self.ranked)

    @property
    def decline_rate(self) -> float:
        return self._rate(self.declined_correctly, self.out_of_scope)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "in_scope": self.in_scope,
            "out_of_scope": self.out_of_scope,
            "fact_found": round(self.fact_rate, 4),
            "answered_wrongly": round(self.wrong_rate, 4),
            "suggested": round(self.suggest_rate, 4),
            "declined_in_scope": round(self.declined_in_scope_rate, 4),
            "out_of_scope_declined": round(self.decline_rate, 4),
            "ranked": self.ranked,
            "top1": round(self.top1_rate, 4),
            "top3": round(self.top3_rate, 4),
            "answered_correctly_n": self.answered_correctly,
            "answered_wrongly_n": self.answered_wrongly,
        }

    def summary(self, name: str = "") -> str:
        head = f"{name}: " if name else ""
        lines = [
            f"{head}{self.in_scope} in scope, {self.out_of_scope} out of scope",
            f"  fact found in the answer: {self.fact_rate:.1%}   "
            f"answered wrongly: {self.wrong_rate:.1%}   "
            f"offered a choice: {self.suggest_rate:.1%}   "
            f"declined though in scope: {self.declined_in_scope_rate:.1%}",
            f"  out of scope declined: {self.decline_rate:.1%}",
        ]
        if self.ranked:
            lines.append(
                f"  by article id ({self.ranked} labelled): top-1 {self.top1_rate:.1%}   "
                f"top-3 {self.top3_rate:.1%}"
            )
        return "\n".join(lines)


def _items(data: Any) -> list[dict[str, Any]]:
    """The case list: a top-level list, or the first list of mappings under a key
    (`questions`, `items`, `cases`, ...)."""
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    if isinstance(data, dict):
        for key in ("questions", "items", "cases"):
            if isinstance(data.get(key), list):
                return _items(data[key])
        for value in data.values():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return _items(value)
    return []


def load_cases(path: Path) -> list[EvalCase]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = []
    for item in _items(data):
        expected = item.get("expected")
        fact = item.get("fact")
        oos = bool(item.get("out_of_scope")) or (expected is None and not fact)
        cases.append(
            EvalCase(
                question=str(item["q"]),
                expected=str(expected) if expected else None,
                also=tuple(str(a) for a in item.get("also") or ()),
                fact=str(fact) if fact else None,
                out_of_scope=oos,
                lang=str(item.get("lang") or ""),
                note=str(item.get("note") or ""),
            )
        )
    return cases


def answer_text(answer: Answer) -> str:
    """The text of an outright answer as the user reads it: the article's title and body
    (the rendered chunks without their HTML tags). Empty for anything but an answer."""
    if answer.outcome == "definition" and answer.term is not None:
        return f"{answer.term.term} — {answer.term.full}\n{answer.term.description}"
    if answer.outcome != "answer" or answer.article is None:
        return ""
    body = "\n".join(answer.article.chunks)
    return html.unescape(_TAG_RE.sub("", f"{answer.article.title}\n{body}"))


def evaluate(
    kb: KnowledgeBase,
    cases: list[EvalCase],
    text_of: Callable[[Answer], str] = answer_text,
) -> EvalReport:
    """What users see: answered with the fact, answered wrongly, offered a choice, declined;
    for out-of-scope questions, how often the bot declined; and the ranking top-1/top-3 by
    article id where a case names one. `text_of` gives the text an answer shows the user."""
    report = EvalReport()
    for case in cases:
        answer = kb.ask(case.question)
        offered = [h.article.id for h in kb.index.search(case.question, k=3).hits]
        if case.out_of_scope:
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
        if ok:
            report.ranked += 1
            report.top1 += bool(offered[:1] and offered[0] in ok)
            report.top3 += bool(ok & set(offered[:3]))
        shown = f"{answer.outcome} {answer.confidence:.2f}"
        want = case.expected or f"/{case.fact}/"
        if answer.outcome in ("answer", "definition"):
            pattern = case.fact_re
            got = answer.article.id if answer.article else None
            fact_ok = pattern is None or bool(pattern.search(text_of(answer)))
            # a definition comes from the glossary: only its text can be checked
            article_ok = not ok or got in ok or answer.outcome == "definition"
            if fact_ok and article_ok:
                report.answered_correctly += 1
                continue
            report.answered_wrongly += 1
            why = "WRONG ARTICLE" if not article_ok else "FACT MISSING"
            report.failures.append(f"{why} [{shown}] {case.question} -> {got} (want {want})")
            continue
        if answer.outcome == "suggest":
            report.suggested += 1
            kind = "SUGGESTED"
        else:
            report.declined_in_scope += 1
            kind = "DECLINED"
        report.failures.append(f"{kind} [{shown}] {case.question} -> {offered[:3]} (want {want})")
    return report
