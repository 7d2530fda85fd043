"""Archive downloads: which hosts may receive the token, how large an archive may be, and how
a downloaded file is named (by its content: `parse_path` needs .zip or .xml)."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Collection
from pathlib import Path

import aiohttp
from yarl import URL

from bot.sources.eis_client.errors import EisError

MAX_ARCHIVE_BYTES = 500 * 1024 * 1024  # one archive; larger ones are refused
CHUNK = 1024 * 1024
TRUSTED_DOMAIN = "zakupki.gov.ru"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


def safe_name(text: str) -> str:
    """`text` as a file-name part: letters, digits, `_`, `.`, `-`; at most 120 characters."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:120] or "x"


def archive_stem(url: str, prefix: str) -> str:
    """The file name (without suffix) of the archive at `url`: stable for the same link."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    return f"{safe_name(prefix)}_{digest}"


def check_archive_url(url: str, base_url: URL, trusted_hosts: Collection[str]) -> URL:
    """The archive link, if the token may be sent there: http(s), no downgrade from an https
    service, and a trusted host (or a subdomain of one)."""
    target = URL(url)
    host = (target.host or "").lower()
    if target.scheme not in ("http", "https") or not host:
        raise EisError(f"EIS gave an archive link that is not http(s): {url[:100]!r}")
    if base_url.scheme == "https" and target.scheme != "https":
        raise EisError(f"refusing to download over plain HTTP from {host}")
    trusted = any(host == h or host.endswith("." + h) for h in trusted_hosts)
    if not trusted:
        raise EisError(f"refusing to send the EIS token to untrusted host {host}")
    return target


async def save_archive(resp: aiohttp.ClientResponse, part: Path, limit: int) -> bytes:
    """Stream the body to `part`; refuse more than `limit` bytes; return its head."""
    declared = resp.content_length
    if declared is not None and declared > limit:
        raise EisError(f"archive of {declared} bytes refused (limit {limit})")
    fh = await asyncio.to_thread(part.open, "wb")
    total = 0
    head = b""
    try:
        async for chunk in resp.content.iter_chunked(CHUNK):
            total += len(chunk)
            if total > limit:
                raise EisError(f"archive exceeds {limit} bytes, refused")
            if len(head) < 8:
                head = (head + chunk)[:64]
            await asyncio.to_thread(fh.write, chunk)
    finally:
        await asyncio.to_thread(fh.close)
    return head


def keep_archive(part: Path, head: bytes, stem: str, host: str) -> Path:
    """Name the downloaded file by its content: parse_path needs .zip or .xml."""
    if head.startswith(b"PK"):
        suffix = ".zip"
    elif head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        suffix = ".xml"
    else:
        raise EisError(f"archive from {host} is neither zip nor XML")
    final = part.parent / f"{stem}{suffix}"
    part.replace(final)
    return final
