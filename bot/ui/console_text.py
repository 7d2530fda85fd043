"""Telegram HTML as plain text, for the console and the CLI."""

from __future__ import annotations

import html
import re

_TAG_RE = re.compile(r"<[^>]+>")
_LINK_RE = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


def html_to_text(text: str) -> str:
    text = _LINK_RE.sub(r"\2 (\1)", text)
    return html.unescape(_TAG_RE.sub("", text))
