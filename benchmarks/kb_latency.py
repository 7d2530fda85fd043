"""Knowledge-base answer latency (p50/p99) and index memory (the word vectors, loaded once
per process and shared by every index, are measured on their own).

Run: .venv/bin/python -m benchmarks.kb_latency
Targets (issue 3): p99 ≤ 20 ms on the shipped base, ≤ 50 ms on a synthetic 2,000-article base.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import statistics
import time
import tracemalloc
from pathlib import Path

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.services.answers import KnowledgeBase
from bot.services.evaluation import load_cases
from knowledge.glossary import Glossary
from knowledge.loader import Article, load_articles
from knowledge.vectors import load_vectors

ROOT = Path(__file__).resolve().parents[1]


def synthetic(articles: list[Article], n: int, seed: int = 7) -> list[Article]:
    """n articles recombined from the shipped ones: mixed paragraphs, titles and questions."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b, c = rng.sample(articles, 3)
        paragraphs = [p for art in (a, b, c) for p in art.body.split("\n\n")]
        body = "\n\n".join(rng.sample(paragraphs, min(4, len(paragraphs))))
        words = (a.title + " " + b.title).split()
        rng.shuffle(words)
        out.append(
            dataclasses.replace(
                a,
                id=f"synthetic-{i}",
                title=" ".join(words[:9]),
                questions=tuple(rng.sample((*a.questions, *b.questions), 3)),
                body=body,
                related=(),
            )
        )
    return out


def measure(kb: KnowledgeBase, questions: list[str], rounds: int = 5) -> tuple[float, float]:
    for q in questions:  # warm the lemma cache as a running bot would be
        kb.ask(q)
    timings = []
    for _ in range(rounds):
        for q in questions:
            start = time.perf_counter()
            kb.ask(q)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def build_with_memory(
    articles: list[Article], glossary: Glossary
) -> tuple[KnowledgeBase, float, float]:
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    kb = KnowledgeBase(articles, glossary)
    seconds = time.perf_counter() - start
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return kb, current / 1024 / 1024, seconds


def main() -> None:
    articles = load_articles(DEFAULT_KNOWLEDGE_DIR)
    glossary = Glossary.load(DEFAULT_KNOWLEDGE_DIR / "glossary.yaml")
    questions = [c.question for c in load_cases(ROOT / "tests" / "eval" / "dev.yaml")]
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    vectors = load_vectors()
    load_s = time.perf_counter() - start
    vec_mib = tracemalloc.get_traced_memory()[0] / 1024 / 1024
    tracemalloc.stop()
    if vectors is None:
        print("word vectors: not installed (natasha missing): semantic layer off")
    else:
        print(
            f"word vectors: {vectors.size} words, loaded in {load_s:.2f} s, "
            f"{vec_mib:.1f} MiB (once per process)"
        )
    KnowledgeBase(articles[:5], glossary)  # load pymorphy dictionaries outside the measurement
    # and scikit-learn's modules (the classifier's training imports them; they are code, not
    # index): the index's own memory is what stays allocated after the build
    import scipy.sparse  # noqa: F401
    import sklearn.feature_extraction.text
    import sklearn.svm  # noqa: F401

    print(
        f"{'base':<22}{'articles':>9}{'build s':>9}{'index MiB':>11}{'p50 ms':>9}{'p99 ms':>9}{'target':>9}"
    )
    for name, arts, target in (
        ("shipped", articles, 20.0),
        ("synthetic", synthetic(articles, 2000), 50.0),
    ):
        kb, mib, seconds = build_with_memory(arts, glossary)
        p50, p99 = measure(kb, questions)
        verdict = "ok" if p99 <= target else "MISSED"
        print(
            f"{name:<22}{len(arts):>9}{seconds:>9.2f}{mib:>11.1f}{p50:>9.2f}{p99:>9.2f}{target:>7.0f} {verdict}"
        )
        print(f"  p99 / target = {p99 / target:.2f}")
        classifier = kb.index.classifier
        print(
            "  classifier: "
            + (
                f"{classifier.nbytes / 1024 / 1024:.1f} MiB of it"
                if classifier is not None
                else "not trained (outside knowledge.classifier's 20-300 articles)"
            )
        )


if __name__ == "__main__":
    main()
