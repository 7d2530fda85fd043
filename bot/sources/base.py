"""Where importable files come from: the EIS information service or a watched directory.

A `Source` downloads EIS XML (zip archives or single files) and hands back local paths that
`bot.sources.files.parse_path` understands. `DirectorySource` covers the manual route: an
operator (or a cron job) drops files into a directory and each new file is taken in once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)

STATE_FILE = ".imported.json"
STATE_VERSION = 1
# Files that are never data: partial downloads and editor/OS droppings.
_SKIP_SUFFIXES = (".part", ".tmp", ".crdownload", "~")


@runtime_checkable
class Source(Protocol):
    """A live source of EIS documents."""

    async def fetch_day(self, region: str, day: date) -> list[Path]:
        """Download everything published in `region` (two-digit code) on `day`."""
        ...

    async def fetch_number(self, number: str) -> list[Path]:
        """Download every document of one purchase (or contract) registry number."""
        ...


class DirectorySource:
    """Files appearing in a directory, each returned once.

    What was taken in is remembered in `<directory>/.imported.json`, keyed by file name,
    size and modification time: a file replaced by a different one under the same name is
    taken in again. Hidden files (the state file included) and partial downloads are
    ignored. `min_age` seconds (by mtime) keeps a file that is still being written for
    the next call.
    """

    def __init__(self, directory: Path, *, min_age: float = 0.0) -> None:
        self.directory = directory
        self.min_age = min_age
        self.state_path = directory / STATE_FILE
        self._fetched: dict[str, dict[str, int]] = {}

    def _load(self) -> dict[str, dict[str, int]]:
        try:
            raw = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self.state_path, exc)
            return {}
        files = raw.get("files") if isinstance(raw, dict) else None
        if not isinstance(files, dict):
            return {}
        state: dict[str, dict[str, int]] = {}
        for name, meta in files.items():
            if (
                isinstance(name, str)
                and isinstance(meta, dict)
                and isinstance(meta.get("size"), int)
                and isinstance(meta.get("mtime_ns"), int)
            ):
                state[name] = {"size": meta["size"], "mtime_ns": meta["mtime_ns"]}
        return state

    def _save(self, state: dict[str, dict[str, int]]) -> None:
        payload = json.dumps(
            {"version": STATE_VERSION, "files": state}, ensure_ascii=False, indent=1, sort_keys=True
        )
        fd, tmp = tempfile.mkstemp(prefix=".imported.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, self.state_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def fetch_new(self) -> list[Path]:
        """Files not taken in yet (sorted by name). They count as taken in only once `done()`
        is called for them, after their import has committed: a stop or a crash in between
        leaves them to the next run (imports are idempotent)."""
        if not self.directory.is_dir():
            return []
        state = self._load()
        now_ns = time.time_ns()
        fresh: list[Path] = []
        for path in sorted(self.directory.iterdir()):
            name = path.name
            if name.startswith(".") or name.endswith(_SKIP_SUFFIXES):
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            if not path.is_file():
                continue
            if self.min_age > 0 and now_ns - st.st_mtime_ns < self.min_age * 1e9:
                continue
            meta = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
            if state.get(name) == meta:
                continue
            self._fetched[name] = meta
            fresh.append(path)
        return fresh

    def done(self, paths: list[Path]) -> None:
        """Record `paths` (as they were when fetched) as taken in."""
        taken = {p.name: self._fetched.pop(p.name) for p in paths if p.name in self._fetched}
        if taken:
            self._save(self._load() | taken)
