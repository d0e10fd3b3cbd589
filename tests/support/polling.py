"""Waiting for work that happens elsewhere (a worker task or process, a server thread, a
browser): poll until it shows, with a deadline, rather than sleep a fixed time.

Waiting for time to pass is different: travel the `clock` fixture instead.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]], seconds: float = 5.0, interval: float = 0.02
) -> bool:
    """Poll `condition` (sync or async) until it holds or `seconds` pass; return the last
    answer, so a caller writes `assert await eventually(...), what_went_wrong`."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result or time.monotonic() > deadline:
            return bool(result)
        await asyncio.sleep(interval)


def eventually_blocking(
    condition: Callable[[], bool], seconds: float = 5.0, interval: float = 0.05
) -> bool:
    """`eventually` for code with no event loop (a synchronous test or fixture waiting for a
    process or a server thread to come up): poll until `condition()` holds or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return bool(result)
        time.sleep(interval)
