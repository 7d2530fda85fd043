"""Parse files in worker processes while the importer writes: the same results, in the same
order, as `parse_path` over the paths one after another.

Work is cut into units: a plain file, or a slice of `ZIP_SLICE` members of an archive, so one
big archive also spreads over the workers. At most `workers * AHEAD` units are in flight,
which bounds memory when the database is slower than the parsers.

Parser processes end with their parent (each watches it: a `kill -9` of the importer leaves
no parser behind). `parse_bounded` parses in one worker process whose address space is
capped (`memory_mb`): a document that needs more is refused with a reason and the bot's own
process never grows (used for IMPORT_DIR and EIS downloads)."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from pathlib import Path

from bot.sources.files import Limits, parse_part, parse_path, walk, zip_members
from bot.sources.records import ParsedFile, SourceError

ZIP_SLICE = 500
Unit = tuple[Path, int, int | None]  # a file, or a slice of an archive's members
AHEAD = 4
PARSE_MEMORY_MB = 1536  # address space of the bounded parser (its baseline is about 300 MB)
WATCH_SECONDS = 1.0


def _watch_parent(parent: int) -> None:
    """In a parser process: exit as soon as the parent is gone (reparented)."""
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _init_worker(parent: int, memory_mb: int | None = None) -> None:
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _pool(workers: int, memory_mb: int | None = None) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")  # no fork of a process running threads
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(), memory_mb)
    )


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
    with _pool(workers) as pool:
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
        where = _where(path, start, stop)
        return [ParsedFile(where, errors=[SourceError(where, f"parser failed: {exc!r}"[:300])])]


def _where(path: Path, start: int, stop: int | None) -> str:
    return str(path) if stop is None else f"{path} (members {start + 1}–{stop})"


def _over(memory_mb: int) -> str:
    return f"refused: parsing needs more than {memory_mb} MB of memory"


# how running out of the capped address space shows in the parsers' reasons (libxml2 says
# «unknown error» or «Memory allocation failed», C14N of a big subtree just fails)
_OUT_OF_MEMORY = (
    "MemoryError",
    "Memory allocation failed",
    "malformed XML: unknown error",
    "cannot read XML: \n",
    "C14NError",
)


def _bounded_part(
    path: Path, start: int, stop: int | None, limits: Limits, memory_mb: int
) -> list[ParsedFile]:
    """`parse_part` in the capped process; running out of memory becomes a refusal."""
    try:
        parsed = parse_part(path, start, stop, limits)
    except MemoryError:
        where = _where(path, start, stop)
        return [ParsedFile(where, errors=[SourceError(where, _over(memory_mb))])]
    for item in parsed:
        item.errors = [
            SourceError(e.file, _over(memory_mb), e.document)
            if any(mark in e.reason + "\n" for mark in _OUT_OF_MEMORY)
            else e
            for e in item.errors
        ]
    return parsed


def parse_bounded(
    paths: Iterable[Path], limits: Limits | None = None, memory_mb: int = PARSE_MEMORY_MB
) -> Iterator[ParsedFile]:
    """ParsedFiles of every path in order, parsed unit by unit in one worker process capped
    at `memory_mb`; a unit that exhausts it is refused with a reason (a new worker takes the
    next one)."""
    limits = limits or Limits()
    pool: ProcessPoolExecutor | None = None
    try:
        for unit in _units(paths, limits):
            if isinstance(unit, ParsedFile):
                yield unit
                continue
            if pool is None:
                pool = _pool(1, memory_mb)
            try:
                result = pool.submit(_bounded_part, *unit, limits, memory_mb).result()
            except (BrokenExecutor, MemoryError):  # killed, or out of memory sending back
                pool.shutdown(wait=False, cancel_futures=True)
                pool = None
                where = _where(*unit)
                result = [ParsedFile(where, errors=[SourceError(where, _over(memory_mb))])]
            yield from result
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
