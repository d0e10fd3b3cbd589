"""Following one incident by email from its page; public webhooks to private addresses."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.delivery import FAST, drain


@pytest.fixture
def settings(base_settings, smtp):
    return replace(base_settings, smtp_port=smtp.port)


@pytest.fixture
async def worker(settings, sessionmaker):
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    yield worker
    await worker.close()


def _link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://status\.example\.test/\S+", text).group(0)


async def test_a_reader_follows_one_incident_until_it_is_resolved(client, keys, smtp, worker):
    followed = await factories.incident(
        client, keys["comms_lead"], "Slow API", body="Looking.", publish=True
    )
    other = await factories.incident(
        client, keys["comms_lead"], "Login errors", body="Looking.", publish=True
    )
    page = await client.get(f"/incidents/{followed['id']}")
    assert "Get updates on this incident" in page.text
    response = await client.post(
        f"/incidents/{followed['id']}/follow", data={"email": "watcher@example.org"}
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.text
    await drain(worker)
    (confirmation,) = smtp.to("watcher@example.org")
    assert "Slow API" in confirmation["Subject"]
    assert "until it is resolved" in confirmation.get_body(("plain",)).get_content()
    assert (await client.post(_link(confirmation))).status_code == 200

    await factories.publish(client, keys["comms_lead"], other["id"], "Other news.", "identified")
    await factories.publish(client, keys["comms_lead"], followed["id"], "Found it.", "identified")
    await factories.publish(client, keys["comms_lead"], followed["id"], "Fixed.", "resolved")
    await factories.publish(client, keys["comms_lead"], followed["id"], "Postmortem.", "resolved")
    await drain(worker)
    subjects = [m["Subject"] for m in smtp.to("watcher@example.org")][1:]
    # Sent concurrently, so in any order; nothing of the other incident, nothing after.
    assert sorted(subjects) == ["[Example] Identified: Slow API", "[Example] Resolved: Slow API"]


async def test_following_is_not_a_page_subscription(client, keys, smtp, worker):
    incident = await factories.incident(
        client, keys["comms_lead"], "Slow API", body="Looking.", publish=True
    )
    await client.post(f"/incidents/{incident['id']}/follow", data={"email": "both@example.org"})
    response = await client.post("/subscribe", data={"email": "both@example.org"})
    assert response.status_code == 200
    await drain(worker)
    assert len(smtp.to("both@example.org")) == 2  # two confirmations: two subscriptions


async def test_a_resolved_incident_cannot_be_followed(client, keys):
    incident = await factories.incident(
        client, keys["comms_lead"], "Slow API", body="Looking.", publish=True
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Fixed.", "resolved")
    page = await client.get(f"/incidents/{incident['id']}")
    assert "Get updates on this incident" not in page.text
    response = await client.post(
        f"/incidents/{incident['id']}/follow", data={"email": "late@example.org"}
    )
    assert response.status_code == 409
    assert "no more updates" in response.text


async def test_an_incident_the_reader_may_not_see_cannot_be_followed(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    private = await factories.incident(
        client,
        keys["comms_lead"],
        "Acme only",
        visibility="customers",
        customers=[acme["id"]],
        body="Yours.",
        publish=True,
    )
    response = await client.post(
        f"/incidents/{private['id']}/follow", data={"email": "snoop@example.org"}
    )
    assert response.status_code == 404
    path = acme["page_url"].split("://", 1)[1].split("/", 1)[1].rstrip("/")
    response = await client.post(
        f"/{path}/incidents/{private['id']}/follow", data={"email": "ops@acme.example"}
    )
    assert response.status_code == 200


async def test_a_scheduled_window_can_be_followed_before_it_starts(client, keys):
    start = datetime.now(UTC) + timedelta(days=3)
    response = await client.post(
        "/api/v1/maintenances",
        json={
            "title": "Database upgrade",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=2)).isoformat(),
            "body": "Read-only for a moment.",
            "publish": True,
        },
        headers=keys["comms_lead"],
    )
    window = response.json()
    page = await client.get(f"/incidents/{window['id']}")
    assert "Get updates on this maintenance" in page.text
    response = await client.post(
        f"/incidents/{window['id']}/follow", data={"email": "dba@example.org"}
    )
    assert response.status_code == 200


async def test_a_public_webhook_to_a_private_address_is_refused(client):
    for url in ("http://127.0.0.1:9/hook", "http://10.0.0.5/hook", "ftp://example.org/x"):
        response = await client.post("/subscribe", data={"channel": "webhook", "url": url})
        assert response.status_code == 422, url
        assert "url" in response.text
    response = await client.post(
        "/subscribe", data={"channel": "webhook", "url": "http://127.0.0.1:9/hook"}
    )
    assert "not a public internet address" in response.text
