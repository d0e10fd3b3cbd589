"""The worker asks the audience rule again just before each send: words that their reader may
no longer see are not sent, and the team sees why (a real HTTP receiver on loopback)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.delivery.jobs import DeliveryWorker
from app.delivery.queue import RetryPolicy
from app.lib.clock import utcnow
from tests.support import factories

# Retries come due at once; `deliver_due(now=...)` stands a little in the future so no test
# waits on the wall clock.
RETRY_AT_ONCE = RetryPolicy(base=0.001, cap=0.001, max_attempts=5)


@pytest.fixture
def settings(base_settings):
    return replace(base_settings, webhook_allow_private=True, worker_concurrency=2)


@pytest.fixture
async def worker(settings, sessionmaker):
    worker = DeliveryWorker(settings, sessionmaker, policy=RETRY_AT_ONCE)
    yield worker
    await worker.close()


async def send_due(worker: DeliveryWorker, *, minutes: int = 0) -> int:
    """Send everything due `minutes` from now; a retry scheduled meanwhile waits."""
    at = utcnow() + timedelta(minutes=minutes)
    total = 0
    while handled := await worker.deliver_due(now=at):
        total += handled
    return total


async def send_retries(worker: DeliveryWorker) -> int:
    return await send_due(worker, minutes=1)


async def hook(client, keys, url, **fields):
    body = {"kind": "webhook", "url": url, **fields}
    return await factories._post(client, "/api/v1/subscribers", keys["comms_lead"], body)


async def deliveries(client, keys, update_id):
    path = f"/api/v1/updates/{update_id}/deliveries"
    response = await client.get(path, headers=keys["responder"])
    assert response.status_code == 200
    return response.json()


async def first_attempt_failed(client, keys, worker, update_id) -> None:
    await send_due(worker)
    assert (await deliveries(client, keys, update_id))["counts"]["retrying"] == 1


async def test_a_public_update_waiting_for_a_retry_is_not_sent_once_its_incident_is_internal(
    client, keys, receiver, worker
):
    receiver.script = [500]  # the first attempt fails; the retry would be answered 200
    await hook(client, keys, receiver.url)
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await first_attempt_failed(client, keys, worker, update["id"])

    internal = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"visibility": "internal"},
        headers=keys["comms_lead"],
    )
    assert internal.status_code == 200, internal.text
    await send_retries(worker)

    assert len(receiver.received) == 1  # the failed first attempt only
    report = await deliveries(client, keys, update["id"])
    assert report["counts"]["skipped"] == 1
    assert report["counts"]["sent"] == report["counts"]["retrying"] == 0
    (skipped,) = report["skipped"]
    assert skipped["state"] == "skipped"
    assert "internal" in skipped["last_error"]


async def test_a_customers_words_are_not_sent_once_that_customer_is_no_longer_affected(
    client, keys, receiver, worker
):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    globex = await factories.customer(client, keys["admin"], "Globex", [])
    receiver.script = [500]
    await hook(client, keys, receiver.url, customer=acme["id"])
    incident = await factories.incident(
        client,
        keys["responder"],
        "Acme's exports are slow",
        visibility="customers",
        customers=[acme["id"]],
    )
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await first_attempt_failed(client, keys, worker, update["id"])

    moved = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"customers": [globex["id"]]},
        headers=keys["comms_lead"],
    )
    assert moved.status_code == 200, moved.text
    await send_retries(worker)

    assert len(receiver.received) == 1
    (skipped,) = (await deliveries(client, keys, update["id"]))["skipped"]
    assert "no longer affected" in skipped["last_error"]


async def test_an_update_still_visible_to_its_reader_is_retried_and_sent(
    client, keys, receiver, worker
):
    receiver.script = [500]
    await hook(client, keys, receiver.url)
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await first_attempt_failed(client, keys, worker, update["id"])
    renamed = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"impact": "major"},
        headers=keys["comms_lead"],
    )
    assert renamed.status_code == 200
    await send_retries(worker)

    assert len(receiver.received) == 2
    report = await deliveries(client, keys, update["id"])
    assert report["counts"]["sent"] == 1 and report["skipped"] == []


async def test_the_deliveries_page_shows_what_was_not_sent_and_why(
    client, keys, receiver, worker, desk_sign_in
):
    receiver.script = [500]
    await hook(client, keys, receiver.url)
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await first_attempt_failed(client, keys, worker, update["id"])
    await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"visibility": "internal"},
        headers=keys["comms_lead"],
    )
    await send_retries(worker)

    await desk_sign_in("lead", Role.COMMS_LEAD)
    page = await client.get(f"/admin/updates/{update['id']}/deliveries")
    assert page.status_code == 200
    assert "Not sent" in page.text
    assert "the incident is internal now" in page.text
