"""The knowledge base's uploads and command line: decoding uploaded files, `smebot kb sync` and
`smebot kb export`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.services import kb_store
from bot.services.errors import BadInput
from tests.factories import GOOD_ARTICLE as GOOD
from tests.support.cli import smebot, smebot_process
from tests.support.kb import OTHER, write_kb


# ---------------------------------------------------------------------- decoding uploads
def test_decode_upload_accepts_utf8_with_or_without_bom() -> None:
    assert kb_store.decode_upload(GOOD.encode("utf-8")) == GOOD
    assert kb_store.decode_upload(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()) == GOOD


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (GOOD.encode("cp1251"), "не в кодировке UTF-8"),
        (GOOD.encode("utf-16"), "UTF-16"),
        (b"", "пустой"),
        (b"\xef\xbb\xbf \n\n", "пустой"),
        (b"%PDF-1.7\n...", "не текстовый файл, а PDF"),
        (b"abc\x00def", "не текстовый файл"),
        (b"a" * (kb_store.MAX_UPLOAD_BYTES + 1), "слишком большой"),
    ],
)
def test_decode_upload_refuses_other_files(data: bytes, words: str) -> None:
    with pytest.raises(BadInput) as caught:
        kb_store.decode_upload(data)
    assert words in caught.value.detail


# ---------------------------------------------------------------------- command line
def test_kb_sync_and_export_cli(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    kb = write_kb(
        tmp_path / "kb", {"smp/test-article.md": GOOD, "security/other-article.md": OTHER}
    )
    ok = smebot_process(tmp_path, "kb", "sync", "--dir", str(kb), DATABASE_URL=db)  # smoke
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "2 added, 0 unchanged, 0 deleted"

    shutil.copy(kb / "articles" / "smp" / "test-article.md", tmp_path / "saved.md")
    (kb / "articles" / "smp" / "test-article.md").write_text(
        GOOD.replace("updated: 2026-11-26", "updated: вчера"), encoding="utf-8"
    )
    bad = smebot(tmp_path, "kb", "sync", "--dir", str(kb), DATABASE_URL=db)
    assert bad.returncode == 1
    assert bad.stdout.splitlines() == [
        f"{kb / 'articles' / 'smp' / 'test-article.md'}:13: updated: 'вчера' is not a date (YYYY-MM-DD)",
        f"{kb / 'articles' / 'security' / 'other-article.md'}:2: related id 'test-article' does not exist",
    ]
    assert "nothing stored" in bad.stderr

    out = smebot_process(tmp_path, "kb", "export", str(tmp_path / "out"), DATABASE_URL=db)  # smoke
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out" / "articles" / "smp" / "test-article.md").read_bytes() == (
        tmp_path / "saved.md"
    ).read_bytes()
