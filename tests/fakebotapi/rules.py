"""What Telegram refuses: HTML entities and tags, text and caption lengths, keyboards."""

from __future__ import annotations

import re
from typing import Any

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
ALLOWED_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*(/?)>")
ENTITY_RE = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
ATTR_RE = re.compile(r'\s*([a-zA-Z-]+)(?:\s*=\s*"([^"]*)"|\s*=\s*\'([^\']*)\'|)')


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """Parse Telegram HTML like the server does; return the plain text or raise 400."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            i = _tag(text, i, stack)
        elif ch == "&":
            i = _entity(text, i, out)
        elif ch == ">":
            raise bad(
                f"can't parse entities: Character '>' is reserved and must be escaped at byte offset {len(text[:i].encode())}"
            )
        else:
            out.append(ch)
            i += 1
    if stack:
        raise bad(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def _tag(text: str, i: int, stack: list[str]) -> int:
    """Check the tag at `i`, open or close it on `stack`; return the index after it."""
    m = TAG_RE.match(text, i)
    if m is None:
        raise bad(f"can't parse entities: Unclosed start tag at byte offset {i}")
    closing, name, attrs, _selfclose = (
        m.group(1),
        m.group(2).lower(),
        m.group(3),
        m.group(4),
    )
    offset = len(text[:i].encode("utf-8"))
    if name not in ALLOWED_TAGS:
        kind = "end" if closing else "start"
        raise bad(f'can\'t parse entities: Unsupported {kind} tag "{name}" at byte offset {offset}')
    if closing:
        if not stack or stack[-1] != name:
            raise bad(
                f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1] if stack else name}\""
            )
        stack.pop()
    else:
        _check_start_tag(name, attrs, offset)
        stack.append(name)
    return m.end()


def _check_start_tag(name: str, attrs: str, offset: int) -> None:
    parsed = {
        a.group(1).lower(): (a.group(2) or a.group(3) or "")
        for a in ATTR_RE.finditer(attrs)
        if a.group(1)
    }
    if name == "span" and parsed.get("class") != "tg-spoiler":
        raise bad(f'can\'t parse entities: Unsupported start tag "span" at byte offset {offset}')
    if name == "a" and "href" in parsed:
        href = parsed["href"]
        if not re.match(r"^(https?://|tg://|mailto:)", href):
            raise bad(f"can't parse entities: unsupported URL {href!r}")


def _entity(text: str, i: int, out: list[str]) -> int:
    """Decode the entity at `i` into `out`; return the index after it."""
    m = ENTITY_RE.match(text, i)
    if m is None:
        raise bad(
            f"can't parse entities: Character '&' is reserved and must be escaped at byte offset {len(text[:i].encode())}"
        )
    ent = m.group(1)
    if ent.startswith("#x"):
        out.append(chr(int(ent[2:], 16)))
    elif ent.startswith("#"):
        out.append(chr(int(ent[1:])))
    elif ent in ALLOWED_NAMED_ENTITIES:
        out.append(ALLOWED_NAMED_ENTITIES[ent])
    else:
        raise bad(f'can\'t parse entities: Unsupported HTML entity "&{ent};"')
    return m.end()


def check_text(text: str | None, parse_mode: str | None, *, caption: bool = False) -> str:
    text = text or ""
    plain = parse_html(text) if (parse_mode or "").upper() == "HTML" else text
    if caption:
        if utf16_len(plain) > 1024:
            raise bad("message caption is too long")
        return plain
    if not plain.strip():
        raise bad("message text is empty")
    if utf16_len(plain) > 4096:
        raise bad("message is too long")
    return plain


def check_markup(markup: dict[str, Any] | None) -> None:
    if not markup:
        return
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise bad("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            url = button.get("url")
            if data is not None:
                size = len(data.encode("utf-8"))
                if size < 1 or size > 64:
                    raise bad("BUTTON_DATA_INVALID")
            if url is not None and not re.match(r"^(https?://|tg://)", url):
                raise bad("BUTTON_URL_INVALID")
            if (
                data is None
                and url is None
                and not (
                    button.get("switch_inline_query") is not None
                    or button.get("switch_inline_query_current_chat") is not None
                    or button.get("copy_text")
                )
            ):
                raise bad("can't parse inline keyboard button: no button action")
