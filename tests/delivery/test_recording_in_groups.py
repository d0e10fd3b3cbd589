"""A fan-out's results are written a group at a time, and never more than the worker's
window of messages goes out ahead of its results."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import event, func, select

from app.delivery.jobs import DeliveryWorker
from app.delivery.models import Delivery, DeliveryState
from tests.support import factories
from tests.support.polling import eventually

READERS = 300


async def _sent(sessionmaker, update_id: str) -> int:
    # Read from the database, not through the API: the test client blocks this event loop
    # while it serves a request, and the worker runs in this loop.
    async with sessionmaker() as session:
        found = await session.scalar(
            select(func.count()).where(
                Delivery.update_id == update_id, Delivery.state == DeliveryState.SENT.value
            )
        )
        return int(found or 0)


async def _publish_to(client, keys, readers: int) -> dict:
    """An update published to `readers` confirmed email subscribers; the update."""
    imported = await client.post(
        "/api/v1/subscribers/import",
        content="\n".join(f"reader{n}@example.org" for n in range(readers)).encode(),
        headers={**keys["comms_lead"], "Content-Type": "text/csv"},
    )
    assert imported.json()["created"] == readers
    incident = await factories.incident(client, keys["responder"], "Outage")
    return await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")


async def test_a_fan_out_is_recorded_in_a_few_group_commits_not_one_per_message(
    client, keys, smtp, settings, sessionmaker
):
    update = await _publish_to(client, keys, READERS)

    writes: list[int] = []  # messages recorded by each write
    unrecorded_most = 0
    # A group waits up to a second for its members (not 4 ms): how many messages a busy
    # machine sends in 4 ms moves with its load, and that is not what this test is about.
    worker = DeliveryWorker(
        replace(settings, worker_concurrency=4), sessionmaker, flush_interval=1.0
    )

    def count_sent_writes(_conn, cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE deliveries SET state="):
            writes.append(cursor.rowcount)

    sync_engine = sessionmaker.kw["bind"].sync_engine
    event.listen(sync_engine, "after_cursor_execute", count_sent_writes)
    stop = asyncio.Event()
    serving = asyncio.create_task(worker.serve(stop))

    async def all_sent() -> bool:
        nonlocal unrecorded_most
        delivered = smtp.count()  # read first: what is recorded later can only be more
        sent = await _sent(sessionmaker, update["id"])
        unrecorded_most = max(unrecorded_most, delivered - sent)
        return sent == READERS

    try:
        assert await eventually(all_sent, 60, interval=0.01)
    finally:
        stop.set()
        await serving
        await worker.close()
        event.remove(sync_engine, "after_cursor_execute", count_sent_writes)

    assert smtp.count() == READERS
    assert sum(writes) == READERS
    # One write per message would be 300 writes: messages sent together are written together.
    assert len(writes) <= READERS // 2, writes
    assert unrecorded_most <= worker.window


async def test_a_slow_mail_server_gets_every_message_at_the_first_try(
    client, keys, smtp, settings, sessionmaker
):
    """Eight lanes share four SMTP connections: a lane that waits for one is served in
    turn, not passed over by lanes that came later until its deadline runs out."""
    readers = 400
    update = await _publish_to(client, keys, readers)
    smtp.delay = 0.02  # 4 connections: at most 200 messages a second, 2 s for them all
    lanes = replace(settings, worker_concurrency=8, smtp_connections=4)
    worker = DeliveryWorker(lanes, sessionmaker, deadline=1.5)
    stop = asyncio.Event()
    serving = asyncio.create_task(worker.serve(stop))
    try:
        assert await eventually(lambda: smtp.count() >= readers, 30)

        async def all_sent() -> bool:
            return await _sent(sessionmaker, update["id"]) == readers

        assert await eventually(all_sent, 10)
    finally:
        stop.set()
        await serving
        await worker.close()
    async with sessionmaker() as session:
        attempts = list(
            await session.scalars(
                select(Delivery.attempts).where(Delivery.update_id == update["id"])
            )
        )
    assert smtp.count() == readers
    assert attempts == [1] * readers, "some messages waited past the deadline and were retried"
