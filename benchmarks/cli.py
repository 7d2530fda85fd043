"""Whole-process time of a CLI look-up against the floor of any database tool in Python.

    python -m benchmarks.cli [--runs 15]

Builds a small SQLite database with the demo generator, then alternates
`smebot procedure N --json` with `python -c "import sqlalchemy"` and prints both medians and
their ratio (target: at most 3x the floor and under 1 s on an idle 2-core machine)."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.sources.demo import write_demo


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    smebot = [sys.executable, "-m", "bot"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db"}
        write_demo(Path(tmp) / "in", 50)
        subprocess.run([*smebot, "import", f"{tmp}/in"], env=env, check=True, capture_output=True)
        number = next((Path(tmp) / "in").glob("epNotification*")).name.split("_")[1]
        lookup = [*smebot, "procedure", number, "--json"]
        floor = [sys.executable, "-c", "import sqlalchemy"]
        timed(lookup, env)  # warm the file cache
        ours, base = [], []
        for _ in range(args.runs):
            ours.append(timed(lookup, env))
            base.append(timed(floor, env))
    p50, f50 = statistics.median(ours), statistics.median(base)
    print(f"smebot procedure N --json: median {p50 * 1000:.0f} ms over {args.runs} runs")
    print(f'python -c "import sqlalchemy": median {f50 * 1000:.0f} ms')
    print(f"ratio: {p50 / f50:.2f}x the floor (target <= 3x and <= 1 s)")


if __name__ == "__main__":
    main()
