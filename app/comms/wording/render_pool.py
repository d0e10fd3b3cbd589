"""Where templates render for async code: a small pool of worker processes.

Rendering on the event loop would stop every request while it runs, and a thread would
not be enough: it shares the interpreter lock, which compiling a long template holds
throughout. A worker process keeps the server answering (`/livez` included) whatever a
template costs; the budget of each render (`app.comms.wording.budget`) makes it stop by itself,
so a worker is free again after at most about a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from app.comms.wording.sandbox import TemplateProblem, render_text

# Two worker processes: renders are short by construction, and a burst of costly ones waits
# its turn here. Spawned, not forked: the server's threads and connections stay behind.
_pool: ProcessPoolExecutor | None = None
_WORKER_MEMORY = 1024 * 1024 * 1024  # address space of a render worker, libraries included


def _renderers() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=2,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
    return _pool


def _start_worker(parent: int) -> None:
    # A second line behind the budget: a worker that somehow grew past it fails with a
    # MemoryError (a 422) instead of taking the host's memory.
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _WORKER_MEMORY if hard == resource.RLIM_INFINITY else min(hard, _WORKER_MEMORY)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))

    # A server stopped by a signal skips its exit handlers and cannot dismiss its workers;
    # a worker whose server is gone leaves by itself.
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


async def render(source: str, context: dict[str, Any], *, field: str = "body") -> str:
    """`render_text` in a worker process: the event loop keeps serving while it runs."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(
            _renderers(), functools.partial(render_text, source, context, field=field)
        )
    except BrokenProcessPool:
        _pool = None  # a worker died (out of memory): start afresh for the next render
        raise TemplateProblem(
            "could not be rendered within the memory a message may use", line=None, field=field
        ) from None
