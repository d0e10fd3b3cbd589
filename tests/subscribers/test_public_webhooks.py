"""Webhook subscriptions from the public subscribe page, confirmed by a signed first delivery.

The receiver listens on loopback, so these pages allow private addresses; the refusal of
private addresses is tested with the default settings beside the follow tests.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from app.delivery.jobs import DeliveryWorker
from app.delivery.webhooks import sign
from tests.support import factories
from tests.support.delivery import FAST, drain


@pytest.fixture
def settings(base_settings):
    return replace(base_settings, webhook_allow_private=True)


@pytest.fixture
async def worker(settings, sessionmaker):
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    yield worker
    await worker.close()


async def test_a_public_webhook_starts_when_its_endpoint_accepts_the_signed_first_delivery(
    client, keys, receiver, worker
):
    response = await client.post("/subscribe", data={"channel": "webhook", "url": receiver.url})
    assert response.status_code == 200, response.text
    secret = re.search(r"(whsec_[A-Za-z0-9+/=]+)", response.text).group(1)
    incident = await factories.incident(
        client, keys["comms_lead"], "Slow API", body="Looking.", publish=True
    )
    await drain(worker)
    (first,) = receiver.received  # the update is not sent before confirmation
    assert first.json()["subscription"]["status"] == "pending"
    headers = first.headers
    stamp = int(headers["webhook-timestamp"])
    expected = sign(secret, headers["webhook-id"], stamp, first.body)
    assert headers["webhook-signature"] == expected

    await factories.publish(client, keys["comms_lead"], incident["id"], "Found.", "identified")
    await drain(worker)
    assert [r.json()["incident"]["name"] for r in receiver.received[1:]] == ["Slow API"]


async def test_a_public_webhook_whose_endpoint_refuses_never_starts(client, keys, receiver, worker):
    receiver.script = [403]
    await client.post("/subscribe", data={"channel": "webhook", "url": receiver.url})
    await drain(worker)
    incident = await factories.incident(
        client, keys["comms_lead"], "Slow API", body="Looking.", publish=True
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Found.", "identified")
    await drain(worker)
    assert len(receiver.received) == 1
