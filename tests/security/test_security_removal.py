"""Removal honoured (issue 18, attack 8): once the team's DELETE (or the reader's own
unsubscribe) has been answered, the worker sends that subscriber at most the messages
already on their way, its window, even from a long queue of messages claimed before."""

from __future__ import annotations

from sqlalchemy import func, select

from app.delivery.jobs import UNRECORDED_PER_LANE
from app.delivery.models import Delivery, DeliveryState
from tests.support import factories
from tests.support.polling import eventually
from tests.support.worker_process import WorkerProcess

# Updates queued for the one subscriber: well over the worker's window, and within one
# claim (the worker claims up to 25 rows per lane at once), as in a busy incident.
UPDATES = 64
LANES = 8
WINDOW = LANES * UNRECORDED_PER_LANE  # 16


async def test_a_removed_subscriber_gets_at_most_the_window_after_the_removal_answered(
    client, keys, smtp, database_url, sessionmaker, tmp_path
):
    reader = (await factories.contact(client, keys["comms_lead"], "reader@example.org"))["id"]
    incident = await factories.incident(client, keys["responder"], "Flapping")
    for n in range(UPDATES):
        await factories.publish(client, keys["comms_lead"], incident["id"], f"Update {n}.")
    smtp.delay = 0.01  # a mail server of normal pace: the fan-out takes a while

    async def settled() -> bool:
        async with sessionmaker() as session:
            waiting = await session.scalar(
                select(func.count()).where(
                    Delivery.subscriber_id == reader,
                    Delivery.state.in_([DeliveryState.PENDING, DeliveryState.RETRYING]),
                )
            )
        return waiting == 0

    # A worker process of its own, as `tidings worker` runs beside the web processes.
    worker = WorkerProcess(
        database_url, smtp.port, tmp_path / "worker.log", TIDINGS_WORKER_CONCURRENCY=str(LANES)
    )
    try:
        worker.start()
        assert await eventually(lambda: smtp.count() >= 8, 60), worker.output()
        # The reader's own unsubscribe link does the same (both unsubscribe it).
        answer = await client.delete(f"/api/v1/subscribers/{reader}", headers=keys["admin"])
        arrived_before = smtp.count()
        assert answer.status_code == 200
        assert await eventually(settled, 60), worker.output()
    finally:
        worker.stop()

    after = smtp.count() - arrived_before
    assert after <= WINDOW, f"{after} messages arrived after the removal was answered"
    history = (
        await client.get(f"/api/v1/subscribers/{reader}/deliveries", headers=keys["admin"])
    ).json()
    skipped = [d for d in history if d["state"] == "skipped"]
    assert len(skipped) >= UPDATES - arrived_before - WINDOW
    assert all(d["last_error"] == "not sent: the subscriber is unsubscribed" for d in skipped)
