"""A publish wakes the worker at once, wherever it runs; it does not wait for its poll."""

from __future__ import annotations

import signal

import pytest

from app.worker import running
from tests.support import factories
from tests.support.polling import eventually
from tests.support.workers import accepted, start_worker

POLL = 60  # seconds: the worker's poll, far longer than the wait for an email below
WAIT = 10  # seconds: an email within this came from the publish's wake-up, not the poll


@pytest.mark.settings(worker_poll_seconds=POLL)
async def test_a_published_update_is_emailed_at_once_by_a_worker_in_the_same_process(
    client, keys, smtp, settings, sessionmaker
):
    await factories.contact(client, keys["comms_lead"], "reader@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    async with running(settings, sessionmaker):
        # The first update shows the worker has claimed all there was: it rests from its
        # claim on, before the lanes send, so the second publish finds it resting.
        assert await accepted(smtp, 1), "the worker never sent the first update"
        await factories.publish(client, keys["comms_lead"], incident["id"], "Found it.")
        assert await eventually(lambda: smtp.count() == 2, WAIT), "the publish woke nothing"


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
        # It rests now (it claimed all there was before sending), its next poll a minute away.
        await factories.publish(client, keys["comms_lead"], incident["id"], "Found it.")
        assert await eventually(lambda: smtp.count() == 2, WAIT), log.read_text()
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0, log.read_text()
