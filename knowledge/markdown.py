"""Article Markdown rendered to the HTML subset Telegram accepts.

The Markdown is parsed by markdown-it-py (CommonMark, raw HTML off), so emphasis nests
properly (`***Важно:***` → `<b><i>Важно:</i></b>`) and link addresses keep their
underscores and parentheses (`…_(1)/`). Rendered: paragraphs, headings (bold), bullet and
numbered lists (nested ones indented), **bold**, *italic*, ~~strike~~ is text, `code`, code
blocks (`<pre>`), quotes (`<blockquote>`) and links with http(s)://, mailto: or tg://
addresses. Anything else is escaped text. Each top-level block becomes one paragraph whose
tags open and close inside it, so `split_html` may cut between paragraphs.

`telegram_problems` re-checks rendered HTML against Telegram's rules (allowed tags, their
nesting, entities, link schemes, 4096 characters) and `markdown_problems` names the Markdown
line of every block Telegram would reject.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "markdown_problems",
    "plain_length",
    "split_html",
    "telegram_problems",
    "to_plain",
    "to_telegram_html",
]

MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<[^>]+>")
_SAFE_URL = re.compile(r"^(https?://|mailto:|tg://)", re.IGNORECASE)
_ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote"}
)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*>")
_ENTITY_RE = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_HREF_RE = re.compile(r'\shref="([^"]*)"')
# A Markdown link whose address has a scheme Telegram refuses (markdown-it leaves it as text).
_UNSAFE_LINK = re.compile(r"\]\(\s*((?!https?://|mailto:|tg://)[a-zA-Z][a-zA-Z0-9+.-]*:[^)\s]*)")


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # Keep addresses as written (no percent-encoding of Cyrillic; `_` and `( )` stay);
    # attributes are escaped when rendered.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    return md


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _inline(children: Sequence[Token] | None) -> str:  # noqa: C901  (one branch per Markdown token type)
    out: list[str] = []
    links: list[bool] = []  # whether each open link was rendered as a tag
    for tok in children or ():
        t = tok.type
        if t == "text":
            out.append(_esc(tok.content))
        elif t == "code_inline":
            out.append(f"<code>{_esc(tok.content)}</code>")
        elif t == "strong_open":
            out.append("<b>")
        elif t == "strong_close":
            out.append("</b>")
        elif t == "em_open":
            out.append("<i>")
        elif t == "em_close":
            out.append("</i>")
        elif t == "link_open":
            href = str(tok.attrGet("href") or "")
            safe = bool(_SAFE_URL.match(href))
            links.append(safe)
            if safe:
                out.append(f'<a href="{html.escape(href, quote=True)}">')
        elif t == "link_close":
            if links and links.pop():
                out.append("</a>")
        elif t == "softbreak":
            out.append(" ")
        elif t == "hardbreak":
            out.append("\n")
        elif t == "image":
            out.append(_esc(tok.content or ""))
        else:  # html_inline (raw HTML is off, but be safe) and anything unknown: as text
            out.append(_esc(tok.content))
    return "".join(out)


def _blocks(markdown: str) -> list[tuple[int, str]]:  # noqa: C901  (one branch per Markdown block token type)
    """(0-based Markdown line, Telegram HTML) of every top-level block."""
    blocks: list[tuple[int, str]] = []
    lists: list[list[int]] = []  # per open list: [next number], or [-1] for bullets
    lines: list[str] = []
    start = 0
    prefix = ""
    heading = False
    for tok in _parser().parse(markdown):
        t = tok.type
        if tok.level == 0 and tok.nesting >= 0:
            start = tok.map[0] if tok.map is not None else start
        if t == "heading_open":
            heading = True
        elif t == "heading_close":
            heading = False
        elif t == "inline":
            text = _inline(tok.children)
            if heading:
                text = f"<b>{text}</b>"
            if prefix:
                text, prefix = f"{prefix}{text}", ""
            elif lists:  # a further paragraph of a list item
                text = f"{'  ' * len(lists)}{text}"
            lines.append(text)
        elif t in ("bullet_list_open", "ordered_list_open"):
            first = int(str(tok.attrGet("start") or 1)) if t == "ordered_list_open" else -1
            lists.append([first])
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t == "list_item_open":
            indent = "  " * (len(lists) - 1)
            counter = lists[-1]
            if counter[0] < 0:
                prefix = f"{indent}• "
            else:
                prefix = f"{indent}{counter[0]}. "
                counter[0] += 1
        elif t in ("fence", "code_block"):
            lines.append(f"<pre>{_esc(tok.content.rstrip(chr(10)))}</pre>")
        elif t == "hr":
            lines.append("———")
        if tok.level == 0 and tok.nesting <= 0 and lines:  # a top-level block ends here
            body = "\n".join(lines)
            if t == "blockquote_close":
                body = f"<blockquote>{body}</blockquote>"
            blocks.append((start, body))
            lines = []
    return blocks


@lru_cache(maxsize=4096)  # an article is rendered on every answer; its text rarely changes
def to_telegram_html(markdown: str) -> str:
    """Convert article Markdown to Telegram HTML; paragraphs are separated by a blank line."""
    return "\n\n".join(body for _, body in _blocks(markdown.strip()) if body.strip())


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


def telegram_problems(telegram_html: str, *, length: bool = True) -> list[str]:
    """What Telegram would reject in this HTML (empty when it is accepted); `length=False`
    leaves the 4096-character limit to the caller (an article is sent in several parts)."""
    problems: list[str] = []
    stack: list[str] = []
    for m in re.finditer(r"<[^>]*>?|&[^;\s]*;?|>", telegram_html):
        token = m.group(0)
        if token == ">":
            problems.append("a bare '>' must be escaped")
        elif token.startswith("&"):
            if not _ENTITY_RE.fullmatch(token):
                problems.append(f"unsupported HTML entity {token[:20]!r}")
        else:
            tag = _TAG_RE.fullmatch(token)
            if tag is None:
                problems.append(f"unclosed tag {token[:20]!r}")
                continue
            closing, name = tag.group(1), tag.group(2).lower()
            if name not in _ALLOWED_TAGS:
                problems.append(f"tag <{name}> is not allowed")
            elif closing:
                if not stack or stack[-1] != name:
                    problems.append(f"</{name}> does not close the last open tag")
                else:
                    stack.pop()
            else:
                href = _HREF_RE.search(tag.group(3) or "")
                if name == "a" and (href is None or not _SAFE_URL.match(href.group(1))):
                    problems.append("a link address must start with http(s)://, mailto: or tg://")
                stack.append(name)
    if stack:
        problems.append(f"<{stack[-1]}> is never closed")
    if length and plain_length(telegram_html) > MESSAGE_LIMIT:
        problems.append(f"{plain_length(telegram_html)} characters in one paragraph (limit 4096)")
    return problems


def markdown_problems(markdown: str) -> list[tuple[int, str]]:
    """(1-based line in `markdown`, reason) for every block Telegram would reject, and for
    links the renderer cannot keep (their address is not one Telegram opens)."""
    found: list[tuple[int, str]] = []
    for line, body in _blocks(markdown):
        found.extend((line + 1, reason) for reason in telegram_problems(body, length=False))
    for number, text in enumerate(markdown.splitlines(), start=1):
        for m in _UNSAFE_LINK.finditer(text):
            found.append((number, f"link address {m.group(1)[:60]!r} is not one Telegram opens"))
    return sorted(set(found))
