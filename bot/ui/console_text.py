"""Telegram HTML as plain text, for the console and the CLI."""

from __future__ import annotations

import html
import re

_TAG_RE = re.compile(r"<[^>]+>")
_LINK_RE = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_RATING_RE = re.compile(r"^\s*([1-5])\s*⭐\s*$")  # «5 ⭐», a rating button's label
RATING_SCALE = 5


def html_to_text(text: str) -> str:
    text = _LINK_RE.sub(r"\2 (\1)", text)
    return html.unescape(_TAG_RE.sub("", text))


def button_label(text: str) -> str:
    """A button's label as the console prints it after the number typed to press it: no digit
    may read as another button's number. A rating «5 ⭐» is «★★★★★» ([7] 5 ⭐ looked like
    button 5), «2 ⭐» is «★★☆☆☆»; any other label that starts with a digit is quoted."""
    rating = _RATING_RE.match(text)
    if rating is not None:
        stars = int(rating.group(1))
        return "★" * stars + "☆" * (RATING_SCALE - stars)
    return f"«{text}»" if text[:1].isdigit() else text
