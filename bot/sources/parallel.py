"""Parse files in worker processes while the importer writes: the same results, in the same
order, as `parse_path` over the paths one after another.

Work is cut into units: a plain file, or a slice of `ZIP_SLICE` members of an archive, so one
big archive also spreads over the workers. At most `workers * AHEAD` units are in flight,
which bounds memory when the database is slower than the parsers."""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from pathlib import Path

from bot.sources.files import Limits, parse_part, parse_path, walk, zip_members
from bot.sources.records import ParsedFile, SourceError

ZIP_SLICE = 500
Unit = tuple[Path, int, int | None]  # a file, or a slice of an archive's members
AHEAD = 4


def default_workers() -> int:
    """One parser per core: the importer mostly waits for SQLite (measured: on 2 cores two
    parsers import 3,360 documents/s, one parser 2,460/s)."""
    return max(1, os.cpu_count() or 1)


def _units(paths: Iterable[Path], limits: Limits) -> Iterator[ParsedFile | Unit]:
    for path in paths:
        for item in walk(path):
            if isinstance(item, ParsedFile):
                yield item
                continue
            members = zip_members(item) if item.suffix.lower() == ".zip" else 0
            if members <= ZIP_SLICE or members > limits.max_members:
                yield (item, 0, None)
                continue
            for start in range(0, members, ZIP_SLICE):
                yield (item, start, start + ZIP_SLICE)


def parse_paths(
    paths: Iterable[Path], workers: int | None = None, limits: Limits | None = None
) -> Iterator[ParsedFile]:
    """ParsedFiles of every path in order; `workers` 0 parses in this process."""
    limits = limits or Limits()
    workers = default_workers() if workers is None else workers
    if workers <= 0:
        for path in paths:
            yield from parse_path(path, limits)
        return
    units = _units(paths, limits)
    head = list(itertools.islice(units, 2))
    if len(head) < 2:  # one file: starting processes would cost more than it saves
        for unit in head:
            yield from [unit] if isinstance(unit, ParsedFile) else parse_part(*unit, limits)
        return
    pending: deque[ParsedFile | tuple[Unit, Future[list[ParsedFile]]]] = deque()
    context = multiprocessing.get_context("spawn")  # no fork of a process running threads
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for unit in itertools.chain(head, units):
            if isinstance(unit, ParsedFile):
                pending.append(unit)
            else:
                pending.append((unit, _submit(pool, unit, limits)))
            while len(pending) > workers * AHEAD:
                yield from _done(pending.popleft(), limits)
        while pending:
            yield from _done(pending.popleft(), limits)


def _submit(pool: ProcessPoolExecutor, unit: Unit, limits: Limits) -> Future[list[ParsedFile]]:
    try:
        return pool.submit(parse_part, *unit, limits)
    except BrokenExecutor:  # a parser process died: parse the rest here
        future: Future[list[ParsedFile]] = Future()
        future.set_result(parse_part(*unit, limits))
        return future


def _done(
    item: ParsedFile | tuple[Unit, Future[list[ParsedFile]]],
    limits: Limits,
) -> list[ParsedFile]:
    if isinstance(item, ParsedFile):
        return [item]
    (path, start, stop), future = item
    try:
        return future.result()
    except BrokenExecutor:  # the process parsing this unit died (out of memory, killed)
        return parse_part(path, start, stop, limits)
    except Exception as exc:  # never lose the rest of the import to one unit
        where = str(path) if stop is None else f"{path} (members {start + 1}–{stop})"
        return [ParsedFile(where, errors=[SourceError(where, f"parser failed: {exc!r}"[:300])])]
