"""Every template renders with sample data and passes Telegram's rules."""

from __future__ import annotations

import pytest

from bot.ui.render import human_date, money, plural, render, template_names
from tests.fakebotapi import check_text, parse_html
from tests.template_samples import HOSTILE, SAMPLES


def test_every_template_has_samples() -> None:
    assert sorted(SAMPLES) == template_names()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_template_passes_telegram_rules(name: str) -> None:
    for context in SAMPLES[name]:
        text = render(name, **context)
        plain = check_text(text, "HTML")
        for value in context.values():
            if value == HOSTILE:
                assert "<b>Ð" not in text and "&lt;b&gt;" in text
                assert HOSTILE.strip() in plain


def test_helpers() -> None:
    assert [plural(n, "день", "дня", "дней") for n in (1, 2, 5, 11, 21, 22, 112)] == [
        "день",
        "дня",
        "дней",
        "дней",
        "день",
        "дня",
        "дней",
    ]
    assert money(1234567.5) == "1\u202f234\u202f567,50 ₽"
    from datetime import UTC, datetime

    assert human_date(datetime(2026, 11, 25, 5, 0, tzinfo=UTC)) == "25 ноября 2026 в 10:00"


@pytest.mark.parametrize(
    "bad",
    [
        "<div>x</div>",
        "<b>x",
        "a & b",
        "&nbsp;",
        "<b><i>x</b></i>",
        "<span>x</span>",
        '<a href="javascript:x">x</a>',
        "",
    ],
)
def test_fake_server_rejects_what_telegram_rejects(bad: str) -> None:
    from tests.fakebotapi import ApiError

    with pytest.raises(ApiError):
        check_text(bad, "HTML")


def test_fake_server_accepts_valid_html() -> None:
    assert parse_html('<b>a</b> &lt;&amp;&gt; &#8212; <a href="https://x.ru">l</a>') == "a <&> — l"
    assert check_text(
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>', "HTML"
    )
