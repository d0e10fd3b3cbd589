"""Webhook delivery against a real HTTP receiver on loopback, signatures checked here."""

from __future__ import annotations

import asyncio
import base64
import hmac
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from app.delivery.jobs import DeliveryWorker
from app.delivery.models import Delivery
from app.lib.clock import as_utc, utcnow
from tests.support import factories
from tests.support.delivery import drain
from tests.support.peers import Received
from tests.support.polling import eventually

# The receiver listens on loopback, which real webhooks may not point at.
pytestmark = pytest.mark.settings(webhook_allow_private=True, worker_concurrency=4)


def verify(secret: str, request: Received, tolerance: int = 300) -> None:
    """An independent Standard Webhooks verifier (spec v1, symmetric)."""
    msg_id = request.headers["webhook-id"]
    timestamp = request.headers["webhook-timestamp"]
    assert abs(int(timestamp) - time.time()) < tolerance
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(
        hmac.new(
            key, msg_id.encode() + b"." + timestamp.encode() + b"." + request.body, "sha256"
        ).digest()
    ).decode()
    signatures = [s.split(",", 1) for s in request.headers["webhook-signature"].split()]
    assert any(v == "v1" and hmac.compare_digest(sig, expected) for v, sig in signatures)


async def test_an_incident_update_arrives_signed_in_the_statuspage_shape(
    client, keys, receiver, worker
):
    api = await factories.component(client, keys["admin"], "API")
    subscriber = await factories.webhook(client, keys["comms_lead"], receiver.url)
    incident = await factories.incident(
        client, keys["responder"], "API errors", impact="major", components=[{"id": api["id"]}]
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    second = await factories.publish(
        client, keys["comms_lead"], incident["id"], "Found it.", "identified"
    )
    await drain(worker)
    assert len(receiver.received) == 2
    for request in receiver.received:
        verify(subscriber["secret"], request)
        assert request.headers["content-type"] == "application/json"
    latest = max(
        (r.json() for r in receiver.received), key=lambda b: len(b["incident"]["incident_updates"])
    )
    assert set(latest) == {"meta", "page", "incident"}
    assert set(latest["page"]) == {"id", "status_indicator", "status_description"}
    assert latest["page"]["status_indicator"] in {
        "none",
        "minor",
        "major",
        "critical",
        "maintenance",
    }
    body = latest["incident"]
    assert body["id"] == incident["id"] and body["name"] == "API errors"
    assert body["incident_updates"][0]["id"] == second["id"]  # newest first
    assert [u["status"] for u in body["incident_updates"]] == ["identified", "investigating"]
    assert body["components"][0]["id"] == api["id"]
    assert latest["meta"]["unsubscribe"].startswith("http://status.example.test/subscription/")

    # A tampered body no longer verifies.
    tampered = Received("/hook", receiver.received[0].headers, receiver.received[0].body + b" ")
    with pytest.raises(AssertionError):
        verify(subscriber["secret"], tampered)


async def test_a_receiver_answering_500_then_200_gets_the_same_webhook_id_twice(
    client, keys, receiver, worker, clock
):
    receiver.script = [500]
    await factories.webhook(client, keys["comms_lead"], receiver.url)
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    path = f"/api/v1/updates/{update['id']}/deliveries"
    assert (await client.get(path, headers=keys["responder"])).json()["counts"]["retrying"] == 1
    clock.advance(seconds=31)  # past the back-off of a first retry (15 to 30 s)
    await drain(worker)
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body or first.json()["incident"]["id"] == incident["id"]
    report = (await client.get(path, headers=keys["responder"])).json()
    assert report["counts"]["sent"] == 1


async def test_retry_after_is_honoured(client, keys, receiver, worker, clock):
    receiver.script = [(429, {"Retry-After": "120"})]
    await factories.webhook(client, keys["comms_lead"], receiver.url)
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    clock.advance(seconds=60)  # past our own back-off (at most 30 s), not the receiver's wish
    await drain(worker)  # not due again yet: the receiver asked for 120 s
    assert len(receiver.received) == 1
    history = (
        await client.get(f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"])
    ).json()
    assert history["counts"]["retrying"] == 1
    clock.advance(seconds=61)
    await drain(worker)
    assert len(receiver.received) == 2


async def test_a_410_disables_the_webhook_and_a_4xx_fails_without_retry(
    client, keys, receiver, worker, clock
):
    receiver.script = [410]
    gone = await factories.webhook(client, keys["comms_lead"], receiver.url)
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    report = (
        await client.get(f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"])
    ).json()
    assert report["counts"]["failed"] == 1
    assert "410" in report["failures"][0]["last_error"]
    state = (
        await client.get(f"/api/v1/subscribers/{gone['id']}", headers=keys["comms_lead"])
    ).json()
    assert state["state"] == "disabled"

    await factories.publish(client, keys["comms_lead"], incident["id"], "Found.", "identified")
    await drain(worker)
    assert len(receiver.received) == 1  # nothing more to a disabled webhook

    receiver.script = [404]
    await factories.webhook(client, keys["comms_lead"], receiver.url + "?second")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Fixing.", "monitoring")
    await drain(worker)
    clock.advance(minutes=5)  # a retry would be due by now
    await drain(worker)
    assert len(receiver.received) == 2  # a 404 is not retried


async def test_a_component_status_change_notifies_webhooks_of_that_component(
    client, keys, receiver, worker
):
    api = await factories.component(client, keys["admin"], "API")
    web = await factories.component(client, keys["admin"], "Web")
    subscriber = await factories.webhook(
        client, keys["comms_lead"], receiver.url, components=[api["id"]]
    )
    await factories.webhook(
        client, keys["comms_lead"], receiver.url + "?web", components=[web["id"]]
    )
    response = await client.patch(
        f"/api/v1/components/{api['id']}",
        json={"status": "major_outage"},
        headers=keys["responder"],
    )
    assert response.status_code == 200, response.text
    await drain(worker)
    (request,) = receiver.received
    verify(subscriber["secret"], request)
    body = request.json()
    assert body["component"]["id"] == api["id"]
    assert body["component"]["status"] == "major_outage"
    assert body["component_update"]["old_status"] == "operational"
    assert body["component_update"]["new_status"] == "major_outage"
    assert body["component_update"]["component_id"] == api["id"]


async def test_a_slow_receiver_keeps_its_row_claimed_so_no_other_worker_sends_it_again(
    client, keys, receiver, settings, sessionmaker, clock
):
    receiver.hold = threading.Event()  # the receiver thinks until the test lets it answer
    await factories.webhook(client, keys["comms_lead"], receiver.url)
    incident = await factories.incident(client, keys["responder"], "Outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    # A short lease, renewed every third of it (0.5 s) in real time while the send lasts.
    slow = DeliveryWorker(settings, sessionmaker, lease=1.5)
    other = DeliveryWorker(settings, sessionmaker, lease=1.5)

    async def held_past(moment) -> bool:  # type: ignore[no-untyped-def]
        async with sessionmaker() as session:
            held = await session.scalar(select(Delivery.next_attempt_at))
        return as_utc(held) > moment

    try:
        sending = asyncio.create_task(slow.deliver_due())
        assert await eventually(lambda: len(receiver.received) == 1)
        clock.advance(minutes=5)  # far past the first lease: only renewal holds the row now
        travelled = utcnow()
        assert await eventually(lambda: held_past(travelled)), "the lease was not renewed"
        assert await other.deliver_due() == 0
        receiver.hold.set()
        assert await sending == 1
    finally:
        receiver.hold.set()
        await slow.close()
        await other.close()
    assert len(receiver.received) == 1


async def test_a_webhook_pointing_inwards_at_send_time_is_not_called(
    client, keys, receiver, settings, sessionmaker
):
    await factories.webhook(client, keys["comms_lead"], receiver.url)  # allowed when it was added
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    strict = DeliveryWorker(replace(settings, webhook_allow_private=False), sessionmaker)
    try:
        await drain(strict)
    finally:
        await strict.close()
    assert receiver.received == []
    report = (
        await client.get(f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"])
    ).json()
    assert report["counts"]["failed"] == 1
    assert "private" in report["failures"][0]["last_error"]
