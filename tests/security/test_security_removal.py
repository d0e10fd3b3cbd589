"""Removal honoured (issue 18, attack 8): once the team's DELETE (or the reader's own
unsubscribe) has been answered, the worker sends that subscriber at most the messages
already on their way, its window, even from a long queue of messages claimed before."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
from sqlalchemy import func, select

from app.delivery.jobs import DeliveryWorker
from app.delivery.models import Delivery, DeliveryState
from tests.support import factories
from tests.support.polling import eventually

# Updates queued for the one subscriber: well over the worker's window (16), and within
# one claim (the worker claims up to 25 rows per lane at once), as in a busy incident.
UPDATES = 64


async def _queue_updates(client, keys) -> tuple[str, str]:
    """One subscriber and `UPDATES` published updates for it, all in the outbox."""
    reader = await factories.contact(client, keys["comms_lead"], "reader@example.org")
    incident = await factories.incident(client, keys["responder"], "Flapping")
    for n in range(UPDATES):
        await factories.publish(client, keys["comms_lead"], incident["id"], f"Update {n}.")
    return reader["id"], incident["id"]


async def test_a_removed_subscriber_gets_at_most_the_window_after_the_removal_answered(
    client, keys, smtp, settings, sessionmaker
):
    reader, _ = await _queue_updates(client, keys)
    smtp.delay = 0.01  # a mail server of normal pace: the fan-out takes a while
    worker = DeliveryWorker(replace(settings, worker_concurrency=8), sessionmaker)
    stop = asyncio.Event()
    serving = asyncio.create_task(worker.serve(stop))
    try:
        assert await eventually(lambda: smtp.count() >= 8, 60), "the fan-out never started"
        # The reader's own unsubscribe link does the same (both unsubscribe it). Asked in
        # this event loop, beside the worker (the test client would hold the loop meanwhile).
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=client.app), base_url="http://status.example.test"
        ) as beside:
            answer = await beside.delete(f"/api/v1/subscribers/{reader}", headers=keys["admin"])
        arrived_before = smtp.count()
        assert answer.status_code == 200

        async def settled() -> bool:
            # Read from the database, not through the API: the test client blocks this
            # event loop while it serves a request, and the worker runs in this loop.
            async with sessionmaker() as session:
                waiting = await session.scalar(
                    select(func.count()).where(
                        Delivery.subscriber_id == reader,
                        Delivery.state.in_([DeliveryState.PENDING, DeliveryState.RETRYING]),
                    )
                )
            return waiting == 0

        assert await eventually(settled, 60), "the queue never settled"
    finally:
        stop.set()
        await serving
        await worker.close()

    after = smtp.count() - arrived_before
    assert after <= worker.window, f"{after} messages arrived after the removal was answered"
    print(f"\n{arrived_before} before, {after} after")
    history = (
        await client.get(f"/api/v1/subscribers/{reader}/deliveries", headers=keys["admin"])
    ).json()
    skipped = [d for d in history if d["state"] == "skipped"]
    assert len(skipped) >= UPDATES - arrived_before - worker.window
    assert all(d["last_error"] == "not sent: the subscriber is unsubscribed" for d in skipped)
