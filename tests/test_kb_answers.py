"""Answering from the knowledge base: right articles, honest refusals, no crash on odd input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.services.answers import KnowledgeBase
from bot.services.evaluation import evaluate, load_cases
from bot.ui.answers import answer_messages, article_messages
from bot.ui.render import render
from tests.fakebotapi import check_text
from tests.support.cli import smebot, smebot_process

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "eval" / "dev.yaml"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("какое обеспечение заявки?", "security-bid"),
        ("обиспечение исполнения контракта смп", "security-contract"),
        ("банковская гарнтия сколько стоит", "guarantee-cost"),
        ("фз-223 квота мсп", "smp-quota-223"),
        ("how much does a bank guarantee cost", "guarantee"),
        ("по статье 93 какие основания", "methods-single"),
        ("закупка по 93-й у единственного поставщика", "methods-single"),  # the number alone
    ],
)
def test_answers_with_the_right_article(kb: KnowledgeBase, question: str, expected: str) -> None:
    answer = kb.ask(question)
    ids = [answer.article.id] if answer.article else [a.id for a in answer.alternatives]
    assert ids and ids[0].startswith(expected), (answer.outcome, ids)


@pytest.mark.parametrize("question", ["статья", "закупка", "контракт", "обеспечение", "223", "ЕИС"])
def test_a_question_of_only_common_words_gets_choices_not_an_answer(
    kb: KnowledgeBase, question: str
) -> None:
    answer = kb.ask(question)
    assert answer.outcome in {"suggest", "none"} and answer.article is None
    if answer.outcome == "suggest":
        assert answer.vague and "Вопрос очень общий" in answer_messages(answer)[0].text


def test_a_glossary_term_is_a_known_word(kb: KnowledgeBase) -> None:
    tokens, unknown, _ = kb.index.analyze_query("what is EIS")
    assert "#еис" in tokens and "eis" not in unknown  # no article says «eis»; the glossary does


def test_typos_are_corrected_but_real_words_are_not_replaced(kb: KnowledgeBase) -> None:
    parts = kb.index.parse_query("обиспечение до окончания приема заявок")
    assert "обеспечение" in parts.tokens  # a misspelling is mapped to the word in the articles
    # «приема» is a form of «прием», a word no article happens to use: it is not «corrected»
    # into the look-alike «приемка» (acceptance of goods); it is ordinary Russian, so it does
    # not count against the question either (it used to count as an unknown term)
    assert "приемка" not in parts.tokens and "прием" in parts.ordinary
    assert not parts.unknown


@pytest.mark.parametrize(
    "question",
    [
        "какая погода в Челябинске",
        "как подать на развод",
        "купить биткоин",
        "рецепт борща",
        "best crypto exchange",
    ],
)
def test_off_topic_is_declined(kb: KnowledgeBase, question: str) -> None:
    answer = kb.ask(question)
    assert (
        answer.outcome in {"off_topic", "none"}
        and answer.article is None
        and not answer.alternatives
    )


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   ",
        "🙂🙂🙂",
        "?!...",
        '" * ( ) NEAR AND OR ^',
        "<b>html</b><script>x</script>",
        "'; DROP TABLE users; --",
        "Zакупки по 44-FZ и ПП-1352 ☂",
        "я" * 5000,
        "a" * 4096,
        "\x00\u202e",
    ],
)
def test_odd_input_gets_a_valid_reply(kb: KnowledgeBase, question: str) -> None:
    answer = kb.ask(question)
    messages = answer_messages(answer, log_id=7)
    assert messages
    for out in messages:
        check_text(out.text, "HTML")


def test_every_article_renders_within_telegram_rules(kb: KnowledgeBase) -> None:
    for article_id in kb.articles:
        view = kb.view(article_id)
        for out in article_messages(view, log_id=123456):
            check_text(out.text, "HTML")
            if out.keyboard:
                for row in out.keyboard.inline_keyboard:
                    for button in row:
                        assert button.callback_data and len(button.callback_data.encode()) <= 64
        inline = render("qa/inline_article", article=view, chunk=view.chunks[0])
        check_text(inline, "HTML")


def test_glossary_lookup(kb: KnowledgeBase) -> None:
    term = kb.term("нмцк")
    assert term is not None and term.term == "НМЦК"
    assert kb.term("bank guarantee") is not None
    assert kb.term("абракадабра") is None


def test_eval_set_shape() -> None:
    cases = load_cases(EVAL)
    out = [c for c in cases if c.out_of_scope]
    english = [c for c in cases if c.question.isascii()]
    assert len(cases) >= 200
    # own everyday out-of-scope questions and long out-of-scope stories added
    assert 0.12 <= len(out) / len(cases) <= 0.30
    assert len(english) / len(cases) >= 0.08


def test_quality_floors(kb: KnowledgeBase) -> None:
    """Regression floors on the dev set, below the measured figures (README): the fact in
    the answer, few outright wrong answers, out-of-scope declines, ranking top-1/top-3.
    Only dev.yaml: the blind test set is never used for tuning or in tests."""
    report = evaluate(kb, load_cases(EVAL))
    for case in load_cases(EVAL):
        if case.expected:
            assert case.expected in kb.articles, case.expected
    # measured 2026-12-01 at night on 828 questions (the gap fills, CONTEXT_COVER 0.5, 810
    # off-topic messages): fact 84.8 %, wrong 3.0 %, top-1 94.0 %, top-3 98.0 %, out of scope
    # declined 97.7 % (late evening, before them: 83.7 / 2.8 / 94.0 / 98.4 / 95.9)
    assert report.fact_rate >= 0.84
    assert report.wrong_rate <= 0.04
    assert report.top1_rate >= 0.93
    assert report.top3_rate >= 0.97
    assert report.decline_rate >= 0.96


def test_ask_cli_json_and_stdin() -> None:
    one = smebot(ROOT, "ask", "--json", "сколько стоит банковская гарантия")
    assert one.returncode == 0, one.stderr
    data = json.loads(one.stdout)
    assert set(data) == {"question", "answered", "article", "text", "score", "alternatives"}
    assert data["answered"] and data["article"]["id"].startswith("guarantee")
    assert "<b>" not in data["text"] and "Основание" in data["text"]
    many = smebot(
        ROOT, "ask", "--stdin", "--json", stdin="погода завтра\n\nразмер обеспечения заявки\n"
    )
    lines = [json.loads(line) for line in many.stdout.splitlines()]
    assert [row["answered"] for row in lines] == [False, True]
    assert lines[0]["article"] is None and lines[0]["alternatives"] == []


def test_ask_cli_from_the_database(tmp_path: Path) -> None:
    """`smebot ask --db` answers from the published articles: none before a sync (a clear
    error), the shipped ones after `smebot kb sync`."""
    db = f"sqlite+aiosqlite:///{tmp_path}/kb.db"
    empty = smebot(ROOT, "ask", "--db", "обеспечение заявки", DATABASE_URL=db)
    assert empty.returncode != 0 and "kb sync" in empty.stderr
    assert smebot(ROOT, "kb", "sync", DATABASE_URL=db).returncode == 0
    answered = smebot(
        ROOT, "ask", "--db", "--json", "сколько стоит банковская гарантия", DATABASE_URL=db
    )
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["article"]["id"].startswith("guarantee")
    # `kb eval --db` measures the published articles: the same figures as the files they
    # were synced from
    # sixty dev questions (the blind test set is for reporting only): the whole set takes minutes
    cases = yaml.safe_load(EVAL.read_text(encoding="utf-8"))["questions"]
    subset = tmp_path / "dev-subset.yaml"
    subset.write_text(yaml.safe_dump({"questions": cases[::11]}, allow_unicode=True), "utf-8")
    dev = ("--questions", str(subset))
    from_db = smebot(ROOT, "kb", "eval", "--db", "--json", *dev, DATABASE_URL=db)
    from_files = smebot_process(ROOT, "kb", "eval", "--json", *dev)  # smoke: kb eval
    assert from_db.returncode == 0, from_db.stderr
    assert json.loads(from_db.stdout) == json.loads(from_files.stdout)
