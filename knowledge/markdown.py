"""The Markdown subset of articles, converted safely to Telegram HTML.

Supported: paragraphs, `### headings` (bold), `- ` / `* ` / `1. ` lists, **bold**, *italic*,
`code` and [links](https://…). Everything else is text, escaped.
"""

from __future__ import annotations

import html
import re

_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(
    r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])|(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])"
)
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*?)\s*#*\s*$")
_TAG = re.compile(r"<[^>]+>")


def _inline(text: str) -> str:
    """Escape, then turn inline Markdown into tags (code spans are left alone)."""
    parts: list[str] = []
    last = 0
    for m in _CODE.finditer(text):
        parts.append(_inline_plain(text[last : m.start()]))
        parts.append(f"<code>{html.escape(m.group(1), quote=False)}</code>")
        last = m.end()
    parts.append(_inline_plain(text[last:]))
    return "".join(parts)


def _inline_plain(text: str) -> str:
    links: list[str] = []

    def keep_link(m: re.Match[str]) -> str:
        label = _emphasis(html.escape(m.group(1), quote=False))
        links.append(f'<a href="{html.escape(m.group(2), quote=True)}">{label}</a>')
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(keep_link, text)
    text = _emphasis(html.escape(text, quote=False))
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], text)


def _emphasis(escaped: str) -> str:
    escaped = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", escaped)
    return _ITALIC.sub(lambda m: f"<i>{m.group(1) or m.group(2)}</i>", escaped)


def to_telegram_html(markdown: str) -> str:
    """Convert the article Markdown subset to Telegram HTML; paragraphs stay separated."""
    blocks: list[str] = []
    for raw_block in re.split(r"\n\s*\n", markdown.strip()):
        lines: list[str] = []
        for line in raw_block.splitlines():
            if m := _HEADING.match(line):
                lines.append(f"<b>{_inline(m.group(1))}</b>")
            elif m := _BULLET.match(line):
                lines.append(f"• {_inline(m.group(1))}")
            elif m := _NUMBERED.match(line):
                lines.append(f"{m.group(1)}. {_inline(m.group(2))}")
            elif line.strip():
                if (
                    lines
                    and not lines[-1].startswith(("• ", "<b>"))
                    and not _NUMBERED.match(lines[-1])
                ):
                    lines[-1] = f"{lines[-1]} {_inline(line.strip())}"
                else:
                    lines.append(_inline(line.strip()))
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def to_plain(telegram_html: str) -> str:
    """Telegram HTML to the plain text a user sees."""
    return html.unescape(_TAG.sub("", telegram_html))


def plain_length(telegram_html: str) -> int:
    """Length as Telegram counts it (UTF-16 code units of the parsed text)."""
    return len(to_plain(telegram_html).encode("utf-16-le")) // 2


def split_html(telegram_html: str, limit: int = 4096) -> list[str]:
    """Split on paragraph boundaries (then lines) so no chunk exceeds `limit` characters.

    Each paragraph produced by `to_telegram_html` is self-contained (tags never span
    paragraphs), so a split between paragraphs never cuts a tag.
    """
    chunks: list[str] = []
    current = ""
    for para in telegram_html.split("\n\n"):
        pieces = [para] if plain_length(para) <= limit else para.split("\n")
        for piece in pieces:
            if plain_length(piece) > limit:
                raise ValueError(f"a paragraph of {plain_length(piece)} characters cannot be split")
            sep = "\n\n" if piece is para else "\n"
            candidate = f"{current}{sep}{piece}" if current else piece
            if plain_length(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks
