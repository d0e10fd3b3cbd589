"""A worker told to stop stops promptly, even while a mail server holds a message: that
message goes back to the outbox and is sent later, not lost and not held for the deadline."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

from sqlalchemy import select

from app.delivery.jobs import DeliveryWorker
from app.delivery.models import Delivery
from app.lib.clock import utcnow
from tests.support import factories
from tests.support.delivery import drain


async def test_a_stopping_worker_gives_back_the_message_a_silent_mail_server_holds(
    client, keys, smtp, settings, sessionmaker
):
    await factories.contact(client, keys["comms_lead"], "reader@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    # A mail server that takes the connection and never says a word.
    silent = socket.create_server(("127.0.0.1", 0))
    silent.setblocking(False)
    held: list[socket.socket] = []
    worker = DeliveryWorker(replace(settings, smtp_port=silent.getsockname()[1]), sessionmaker)
    stop = asyncio.Event()
    serving = asyncio.create_task(worker.serve(stop))
    try:
        connection, _ = await asyncio.wait_for(asyncio.get_running_loop().sock_accept(silent), 30)
        held.append(connection)  # the message is being sent
        stop.set()
        await serving
        # Without the grace, this waited for the send's whole deadline, then recorded a
        # failure to retry after the back-off.
        await asyncio.wait_for(worker.close(), 8)
    finally:
        stop.set()
        for connection in held:
            connection.close()
        silent.close()
    async with sessionmaker() as session:
        (delivery,) = await session.scalars(select(Delivery))
    assert delivery.state == "pending" and delivery.attempts == 0
    assert delivery.next_attempt_at <= utcnow()  # due again at once, not after a lease

    with_smtp = DeliveryWorker(settings, sessionmaker)
    try:
        assert await drain(with_smtp) == 1
    finally:
        await with_smtp.close()
    assert [m["To"] for m in smtp.messages] == ["reader@example.org"]
