"""Waiting for something the scheduler or a background job does, with a generous deadline."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

WAIT = 30.0  # a healthy job runs in well under a second; CI machines are busy


async def until(check: Callable[[], Any], what: str) -> None:
    """Wait until `check()` (a value or an awaitable) is true."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while not await _value(check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the scheduler never ran {what}")
        await asyncio.sleep(0.05)


async def _value(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
