"""Walk files, directories and zip archives of EIS XML / OCDS JSON; never raise for bad input."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from bot.sources.eis.stream import parse_xml
from bot.sources.ocds import parse_json
from bot.sources.records import Document, ParsedFile, SourceError

MAX_MEMBER_SIZE = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 10_000
RATIO_MIN_SIZE = 1024 * 1024  # tiny members may compress very well without being bombs

DATA_SUFFIXES = {".xml", ".json"}
# Quietly skipped: detached signatures and the notes that travel with data dumps.
QUIET_SUFFIXES = {".sig", ".md", ".txt"}


@dataclass(frozen=True, slots=True)
class Limits:
    max_member_size: int = MAX_MEMBER_SIZE
    max_ratio: float = MAX_RATIO
    max_members: int = MAX_MEMBERS
    ratio_min_size: int = RATIO_MIN_SIZE


class TooLargeError(ValueError):
    pass


class _LimitedReader(io.RawIOBase):
    """Reads a zip member and stops once it exceeds the size or ratio limit."""

    def __init__(self, raw: IO[bytes], limit: int, compressed: int, limits: Limits) -> None:
        self.raw = raw
        self.limit = limit
        self.compressed = compressed
        self.limits = limits
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size if size is not None and size >= 0 else self.limit + 1)
        self.count += len(chunk)
        if self.count > self.limit:
            raise TooLargeError(f"uncompressed size exceeds {self.limit} bytes")
        if self.count >= self.limits.ratio_min_size and self.count > self.limits.max_ratio * max(
            self.compressed, 1
        ):
            raise TooLargeError(f"compression ratio exceeds {self.limits.max_ratio}")
        return chunk

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _collect(result: ParsedFile, item: Document | SourceError) -> None:
    if isinstance(item, SourceError):
        result.errors.append(item)
    else:
        result.documents.append(item)


def _parse_stream(stream: IO[bytes], name: str, suffix: str, limit: int) -> ParsedFile:
    result = ParsedFile(file=name)
    try:
        if suffix == ".xml":
            items = parse_xml(stream, name)
            for item in items:
                _collect(result, item)
        else:
            data = stream.read(limit + 1)
            if len(data) > limit:
                raise TooLargeError(f"file exceeds {limit} bytes")
            for item in parse_json(data, name):
                _collect(result, item)
    except Exception as exc:  # a reader limit or I/O failure: keep what was parsed
        result.errors.append(SourceError(name, f"{type(exc).__name__}: {exc}"))
    return result


def _parse_zip(
    path: Path, limits: Limits, start: int = 0, stop: int | None = None
) -> Iterator[ParsedFile]:
    """The members of an archive in name order; `start`/`stop` pick a slice of them (the
    parallel walker hands slices of one archive to several processes)."""
    archive = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_members:
                if start > 0:
                    return  # the first slice reports the refusal
                yield ParsedFile(
                    archive,
                    errors=[
                        SourceError(
                            archive,
                            f"archive has {len(infos)} members (limit {limits.max_members})",
                        )
                    ],
                )
                return
            for info in sorted(infos, key=lambda i: i.filename)[start:stop]:
                if info.is_dir():
                    continue
                name = f"{archive}!{info.filename}"
                suffix = PurePosixPath(info.filename).suffix.lower()
                if suffix in QUIET_SUFFIXES:
                    continue
                if suffix not in DATA_SUFFIXES:
                    yield ParsedFile(
                        name,
                        errors=[SourceError(name, f"unexpected file type {suffix or '(none)'}")],
                    )
                    continue
                refusal = None
                if info.file_size > limits.max_member_size:
                    refusal = f"declared size {info.file_size} exceeds {limits.max_member_size}"
                elif (
                    info.file_size >= limits.ratio_min_size
                    and info.file_size > limits.max_ratio * max(info.compress_size, 1)
                ):
                    ratio = info.file_size // max(info.compress_size, 1)
                    refusal = f"compression ratio {ratio} exceeds {limits.max_ratio}"
                if refusal:
                    yield ParsedFile(name, errors=[SourceError(name, f"refused: {refusal}")])
                    continue
                try:
                    with zf.open(info) as raw:
                        reader = _LimitedReader(
                            raw, limits.max_member_size, info.compress_size, limits
                        )
                        yield _parse_stream(
                            io.BufferedReader(reader), name, suffix, limits.max_member_size
                        )
                except Exception as exc:  # bad CRC, encryption, truncated archive
                    yield ParsedFile(
                        name, errors=[SourceError(name, f"{type(exc).__name__}: {exc}")]
                    )
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        yield ParsedFile(archive, errors=[SourceError(archive, f"bad zip archive: {exc}")])


def _parse_file(path: Path, limits: Limits) -> Iterator[ParsedFile]:
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in QUIET_SUFFIXES or path.name.startswith("."):
        return
    if suffix == ".zip":
        yield from _parse_zip(path, limits)
        return
    if suffix not in DATA_SUFFIXES:
        yield ParsedFile(
            name, errors=[SourceError(name, f"unexpected file type {suffix or '(none)'}")]
        )
        return
    try:
        with path.open("rb") as stream:
            yield _parse_stream(stream, name, suffix, limits.max_member_size)
    except OSError as exc:
        yield ParsedFile(name, errors=[SourceError(name, f"cannot read: {exc}")])


def walk(path: Path) -> Iterator[Path | ParsedFile]:
    """The files under `path` in sorted order, or a ParsedFile with the error."""
    try:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.exists():
            yield path
        else:
            yield ParsedFile(
                str(path), errors=[SourceError(str(path), "no such file or directory")]
            )
    except OSError as exc:
        yield ParsedFile(str(path), errors=[SourceError(str(path), f"cannot read: {exc}")])


def parse_path(path: Path, limits: Limits | None = None) -> Iterator[ParsedFile]:
    """Parse a file (.xml, .json, .zip) or a directory tree (sorted); errors go in ParsedFile."""
    limits = limits or Limits()
    for item in walk(path):
        if isinstance(item, ParsedFile):
            yield item
        else:
            yield from _parse_file(item, limits)


def parse_part(path: Path, start: int, stop: int | None, limits: Limits) -> list[ParsedFile]:
    """One unit of parallel work: a plain file (start 0, stop None) or a slice of an archive."""
    if path.suffix.lower() == ".zip":
        return list(_parse_zip(path, limits, start, stop))
    return list(_parse_file(path, limits))


def zip_members(path: Path) -> int:
    """How many members an archive lists (0 when it cannot be read: the parser reports it)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return len(zf.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return 0
