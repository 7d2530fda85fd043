"""One BLAS thread (knowledge/__init__.py): OpenBLAS's extra threads spun on the second core
for the small word-vector products and made an answer about 4x slower on a loaded 2-core
machine. Set before numpy loads; an operator's own setting wins."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "import bot, os, numpy; print(os.environ.get('OPENBLAS_NUM_THREADS'))"


def _run(extra: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update(extra)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_bot_sets_one_blas_thread() -> None:
    assert _run({}) == "1"


def test_an_operators_setting_wins() -> None:
    assert _run({"OPENBLAS_NUM_THREADS": "2"}) == "2"
