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
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.comms.maintenance.service import publish_due
from app.comms.review.nudges import check_promises
from app.db.changes import on_change
from app.delivery.jobs import DeliveryWorker
from app.delivery.queue import RetryPolicy
from app.delivery.wakeup import listening, on_outbox
from app.settings import Settings

log = logging.getLogger("tidings.worker")

# How often a worker that cannot be told of new rows (SQLite, another process) glances for
# them: one indexed read, so a publish elsewhere is sent within about this long.
PROBE_SECONDS = 0.1


async def run(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event
) -> None:
    """Run the background jobs until `stop` is set: delivery, which keeps its own pool of
    lanes busy, and the periodic passes: the maintenance schedule, which publishes approved
    words when a window starts or ends, and the promise check, which nudges the team before
    a promised update comes due and when it lapses. New deliveries wake delivery at once
    rather than at its next poll: committed in this process, by an in-process signal; in
    another, by PostgreSQL's NOTIFY, or on SQLite by a glance for due rows every
    `PROBE_SECONDS`."""
    policy = RetryPolicy(base=settings.worker_retry_base_seconds)
    delivery = DeliveryWorker(settings, sessionmaker, policy=policy)
    unsubscribe = [on_change(delivery.wake.set), on_outbox(delivery.wake.set)]
    schedule = asyncio.create_task(maintenance_schedule(settings, sessionmaker, stop))
    try:

        def told_of_rows(listening_now: bool) -> None:
            # While no one tells it of new rows, the worker glances for them itself.
            delivery.probe = None if listening_now else PROBE_SECONDS

        async with listening(sessionmaker, delivery.wake.set, told_of_rows) as told:
            delivery.probe = None if told else PROBE_SECONDS
            await delivery.serve(stop)
    except Exception:  # logged; the loop's owner decides whether to start it again
        log.exception("the delivery job failed")
        raise
    finally:
        for forget in unsubscribe:
            forget()
        stop.set()
        await schedule
        await delivery.close()


def team_channels(settings: Settings) -> list[str]:
    """The team's own chat channels that nudges go to (the kinds whose URL is set)."""
    urls = {"slack": settings.team_slack_webhook_url, "teams": settings.team_teams_webhook_url}
    return [kind for kind, url in urls.items() if url]


async def run_promise_check(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> int:
    """One pass of the promise check: nudge the team about promises due soon or lapsed,
    in one transaction. Returns how many nudges it queued."""
    async with sessionmaker() as session:
        nudged = await check_promises(
            session,
            before=timedelta(minutes=settings.nudge_before_minutes),
            team_channels=team_channels(settings),
        )
        await session.commit()
    return len(nudged)


async def run_maintenance_schedule(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """One pass of the maintenance schedule: publish the approved words now due, mark the
    unapproved ones missed, in one transaction. Returns how many words it handled."""
    async with sessionmaker() as session:
        handled = await publish_due(session)
        await session.commit()
    return len(handled)


async def maintenance_schedule(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event
) -> None:
    """Every poll interval until stopped, one pass of the schedule and one of the promise
    check (a failed pass is logged and tried again at the next)."""
    while not stop.is_set():
        try:
            await run_maintenance_schedule(sessionmaker)
        except Exception:
            log.exception("the maintenance schedule could not run")
        try:
            await run_promise_check(settings, sessionmaker)
        except Exception:
            log.exception("the promise check could not run")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.worker_poll_seconds)


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
