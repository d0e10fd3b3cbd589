"""The worker: a loop over the background jobs, listed explicitly below.

`tidings serve` runs one in-process (the embedded set-up); `tidings worker` runs one on its
own (the distributed set-up, with `tidings serve --no-worker`). It is stopped by an event,
never cancelled mid-query.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.delivery.jobs import DeliveryWorker
from app.settings import Settings

log = logging.getLogger("tidings.worker")


async def run(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event
) -> None:
    delivery = DeliveryWorker(settings, sessionmaker)
    # Each job does a bounded piece of work and says how much; the loop rests when none did.
    jobs = [
        ("delivery", delivery.deliver_due),
    ]
    try:
        while not stop.is_set():
            busy = 0
            for name, job in jobs:
                try:
                    busy += await job()
                except Exception:  # one failing job must not stop the others; logged
                    log.exception("job %s failed", name)
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), settings.worker_poll_seconds)
    finally:
        await delivery.close()


@contextlib.asynccontextmanager
async def running(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[None]:
    """Run a worker beside the web process while the block runs."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, sessionmaker, stop))
    try:
        yield
    finally:
        stop.set()
        await task
