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

from app.db.changes import on_change
from app.delivery.jobs import DeliveryWorker
from app.delivery.service import RetryPolicy
from app.settings import Settings

log = logging.getLogger("tidings.worker")


async def run(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event
) -> None:
    """Run the background jobs until `stop` is set. Delivery is the one job today: it keeps
    its own pool of lanes busy, and a publish in this process wakes it at once (on commit)
    rather than at its next poll."""
    policy = RetryPolicy(base=settings.worker_retry_base_seconds)
    delivery = DeliveryWorker(settings, sessionmaker, policy=policy)
    unsubscribe = on_change(delivery.wake.set)
    try:
        await delivery.serve(stop)
    except Exception:  # logged; the loop's owner decides whether to start it again
        log.exception("the delivery job failed")
        raise
    finally:
        unsubscribe()
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
