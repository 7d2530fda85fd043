"""Parsing in worker processes: the same files in the same order as in this process, one
file stays here, and a failing worker costs only its own unit."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.sources.files import parse_path
from bot.sources.records import (
    ParsedFile,
)


def test_parallel_parsing_gives_the_same_files_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes over plain files, slices of a zip archive, a broken archive and a
    missing path: the same ParsedFiles, in the same order, as parsing in this process."""
    from bot.sources import parallel
    from bot.sources.demo import write_demo

    plain = tmp_path / "plain"
    write_demo(plain, 12, region="74", seed=3, now=datetime(2026, 11, 20, tzinfo=UTC))
    files = sorted(p for p in plain.rglob("*.xml"))
    assert len(files) >= 12
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in files:
            zf.write(path, f"inside/{path.name}")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    monkeypatch.setattr(parallel, "ZIP_SLICE", 5)  # the archive is cut into several units
    paths = [plain, archive, tmp_path / "broken.zip", tmp_path / "missing"]

    def flat(parsed: list[ParsedFile]) -> list[tuple[str, list[Any], list[str]]]:
        return [(p.file, p.documents, [e.reason for e in p.errors]) for p in parsed]

    sequential = [p for path in paths for p in parse_path(path)]
    in_workers = list(parallel.parse_paths(paths, workers=2))
    assert flat(in_workers) == flat(sequential)
    assert sum(len(p.documents) for p in in_workers) > 2 * len(files) - 2
    assert any("bad zip" in e.reason for p in in_workers for e in p.errors)
    assert any("no such file" in e.reason for p in in_workers for e in p.errors)
    assert list(parallel.parse_paths([archive], workers=0)) == list(parse_path(archive))


def test_parallel_parsing_of_one_file_stays_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.sources import parallel
    from bot.sources.demo import write_demo

    write_demo(tmp_path, 1, region="74", seed=4, now=datetime(2026, 11, 20, tzinfo=UTC))
    (one,) = sorted(tmp_path.glob("epNotification*.xml"))

    def no_pool(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a process pool for one file")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    assert list(parallel.parse_paths([one], workers=2)) == list(parse_path(one))
    assert next(iter(parallel.parse_paths([tmp_path / "missing"], workers=2))).errors


def test_a_failing_parser_process_costs_only_its_own_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit whose worker raised is reported as an error of that file; a died worker
    (broken pool) makes its units parse here; everything else goes in."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from bot.sources import parallel
    from bot.sources.demo import write_demo

    write_demo(tmp_path, 6, region="74", seed=5, now=datetime(2026, 11, 20, tzinfo=UTC))
    files = sorted(tmp_path.glob("*.xml"))
    calls: list[int] = []

    class FlakyPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def __enter__(self) -> FlakyPool:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def submit(self, fn: Any, *args: Any) -> Future[Any]:
            calls.append(1)
            future: Future[Any] = Future()
            if len(calls) == 1:
                future.set_exception(ValueError("boom"))
            elif len(calls) == 2:
                future.set_exception(BrokenProcessPool("killed"))
            elif len(calls) == 3:
                raise BrokenProcessPool("the pool is gone")
            else:
                future.set_result(fn(*args))
            return future

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", FlakyPool)
    got = list(parallel.parse_paths([tmp_path], workers=2))
    assert [p.file for p in got] == [str(f) for f in files]
    assert "parser failed" in got[0].errors[0].reason and not got[0].documents
    assert all(p.documents and not p.errors for p in got[1:])  # reparsed here or in "workers"
