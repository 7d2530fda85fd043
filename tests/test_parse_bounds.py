"""Issue 19: IMPORT_DIR files are parsed in a worker process with a memory bound (a document
over it is refused with a reason), and parser processes end with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.sources.parallel import parse_bounded
from bot.sources.records import ProcedureRecord
from tests.support.sources import EXPORT_HEAD, _notice

ROOT = Path(__file__).resolve().parents[1]
WAIT = 30.0


def _export(path: Path, lots: int) -> Path:
    extra = "".join(
        f"<e:lotX><e:n>{i}</e:n><e:t>лот {i}: поставка товара</e:t></e:lotX>" for i in range(lots)
    )
    big = _notice("0000000000025000002", "1").replace(
        "</e:notificationInfo>", extra + "</e:notificationInfo>"
    )
    path.write_text(EXPORT_HEAD + _notice("0000000000025000001", "10") + big + "</ns3:export>")
    return path


def _numbers(files: list[object]) -> list[str]:
    return [
        d.number
        for f in files
        for d in getattr(f, "documents", [])
        if isinstance(d, ProcedureRecord)
    ]


def test_a_document_over_the_memory_bound_is_refused_with_a_reason(tmp_path: Path) -> None:
    hostile = _export(tmp_path / "hostile.xml", 60_000)  # 6 MB: about 200 MB to parse
    plain = _export(tmp_path / "plain.xml", 10)
    parsed = list(parse_bounded([hostile, plain], memory_mb=130))
    assert [Path(p.file).name for p in parsed] == ["hostile.xml", "plain.xml"]
    assert _numbers([parsed[0]]) == ["0000000000025000001"]  # what came before it stays
    (error,) = parsed[0].errors
    assert error.reason == "refused: parsing needs more than 130 MB of memory"
    # the next file gets a fresh worker and goes through
    assert _numbers([parsed[1]]) == ["0000000000025000001", "0000000000025000002"]
    assert parsed[1].errors == []
    # with room enough the same file parses whole
    (whole,) = parse_bounded([hostile], memory_mb=1024)
    assert whole.errors == [] and len(_numbers([whole])) == 2


PARENT = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.sources import parallel

if __name__ == "__main__":  # the pool `parse_paths` uses, both workers busy for long
    pool = parallel._pool(2)
    futures = [pool.submit(time.sleep, 600) for _ in range(2)]
    time.sleep(1.0)
    print(" ".join(str(p) for p in pool._processes), flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by init) is gone for our purpose
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_parser_processes_end_with_their_parent(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT.format(root=str(ROOT)))
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        assert parent.stdout is not None
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(p) for p in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=WAIT)
        deadline = time.monotonic() + WAIT
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers), "parser processes outlived the importer"
    finally:
        if parent.poll() is None:
            parent.kill()
