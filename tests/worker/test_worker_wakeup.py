"""A publish wakes the worker at once, wherever it runs; it does not wait for its poll."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from app.worker import running
from tests.support import factories
from tests.support.polling import eventually
from tests.support.workers import accepted, start_worker

POLL = 10  # seconds: the worker's poll, far longer than any wait below


@pytest.mark.settings(worker_poll_seconds=POLL)
async def test_a_published_update_is_emailed_at_once_by_a_worker_in_the_same_process(
    client, keys, smtp, settings, sessionmaker
):
    await factories.contact(client, keys["comms_lead"], "reader@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    async with running(settings, sessionmaker):
        await asyncio.sleep(0.5)  # the worker has looked, found nothing, and rests
        started = time.monotonic()
        await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
        assert await eventually(smtp.count, 5), "nothing was sent"
        took = time.monotonic() - started
    # At once means long before the next poll; the bound leaves a busy machine room.
    assert took < POLL / 2, f"the first email took {took:.2f} s"


async def test_a_published_update_is_emailed_at_once_by_a_worker_in_another_process(
    client, keys, smtp, database_url, tmp_path
):
    await factories.contact(client, keys["comms_lead"], "reader@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    log = tmp_path / "worker.log"
    worker = start_worker(database_url, smtp.port, log, WORKER_POLL_SECONDS=str(POLL))
    try:
        # The first update shows the worker is up (starting a process takes a while).
        await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
        assert await accepted(smtp, 1), log.read_text()
        await asyncio.sleep(0.5)  # it rests now, its next poll ten seconds away
        started = time.monotonic()
        await factories.publish(client, keys["comms_lead"], incident["id"], "Found it.")
        assert await eventually(lambda: smtp.count() == 2, 5), log.read_text()
        took = time.monotonic() - started
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0, log.read_text()
    assert took < POLL / 2, f"the second email took {took:.2f} s"
