"""DirectorySource: each file once, a broken state file, files still being written, a missing
directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.sources.base import STATE_FILE, DirectorySource


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


def test_directory_source_returns_each_file_once(inbox: Path) -> None:
    source = DirectorySource(inbox)
    assert source.fetch_new() == []
    (inbox / "a.zip").write_bytes(b"PK a")
    (inbox / "b.xml").write_text("<b/>")
    (inbox / ".hidden.xml").write_text("<h/>")
    (inbox / "c.zip.part").write_bytes(b"PK partial")

    fetched = source.fetch_new()
    assert [p.name for p in fetched] == ["a.zip", "b.xml"]
    assert source.fetch_new() == fetched  # not taken in until their import has committed
    source.done(fetched)
    assert source.fetch_new() == []
    assert (inbox / STATE_FILE).is_file()

    # a new instance remembers; a new file and a replaced file come once more
    again = DirectorySource(inbox)
    (inbox / "c.xml").write_text("<c/>")
    (inbox / "a.zip").write_bytes(b"PK a, second edition")
    fetched = again.fetch_new()
    assert [p.name for p in fetched] == ["a.zip", "c.xml"]
    again.done(fetched)
    assert again.fetch_new() == []


def test_directory_source_survives_a_broken_state_file(inbox: Path) -> None:
    (inbox / STATE_FILE).write_text("{not json")
    (inbox / "a.xml").write_text("<a/>")
    source = DirectorySource(inbox)
    fetched = source.fetch_new()
    assert [p.name for p in fetched] == ["a.xml"]
    source.done(fetched)
    assert DirectorySource(inbox).fetch_new() == []


def test_directory_source_waits_for_files_being_written(inbox: Path) -> None:
    path = inbox / "a.xml"
    path.write_text("<a/>")
    source = DirectorySource(inbox, min_age=60)
    assert source.fetch_new() == []
    old = path.stat().st_mtime - 120
    os.utime(path, (old, old))
    assert source.fetch_new() == [path]


def test_directory_source_of_a_missing_directory(tmp_path: Path) -> None:
    assert DirectorySource(tmp_path / "absent").fetch_new() == []
