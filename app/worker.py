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
from app.delivery.wakeup import listening, on_outbox
from app.settings import Settings

log = logging.getLogger("tidings.worker")

# How often a worker that cannot be told of new rows (SQLite, another process) glances for
# them: one indexed read, so a publish elsewhere is sent within about this long.
PROBE_SECONDS = 0.1


async def run(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event
) -> None:
    """Run the background jobs until `stop` is set. Delivery is the one job today: it keeps
    its own pool of lanes busy, and new deliveries wake it at once rather than at its next
    poll: committed in this process, by an in-process signal; in another, by PostgreSQL's
    NOTIFY, or on SQLite by a glance for due rows every `PROBE_SECONDS`."""
    delivery = DeliveryWorker(settings, sessionmaker)
    unsubscribe = [on_change(delivery.wake.set), on_outbox(delivery.wake.set)]
    try:

        def look_for_myself() -> None:
            delivery.probe = PROBE_SECONDS

        async with listening(sessionmaker, delivery.wake.set, look_for_myself) as told:
            delivery.probe = None if told else PROBE_SECONDS
            await delivery.serve(stop)
    except Exception:  # logged; the loop's owner decides whether to start it again
        log.exception("the delivery job failed")
        raise
    finally:
        for forget in unsubscribe:
            forget()
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
