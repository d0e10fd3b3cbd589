"""Each reader's own page link is put in as a message is sent: a webhook of a customer gets
that customer's link where the words hold the stand-in for it."""

from __future__ import annotations

import pytest

from tests.support import factories
from tests.support.delivery import drain

# The receiver listens on loopback, which real webhooks may not point at.
pytestmark = pytest.mark.settings(webhook_allow_private=True)


async def test_a_customers_webhook_reads_its_own_page_link_in_words_drafted_with_page_url(
    client, keys, receiver, worker
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    await factories.webhook(client, keys["comms_lead"], receiver.url, customer=acme["id"])
    incident = await factories.incident(
        client, keys["responder"], "API errors", visibility="customers", customers=[acme["id"]]
    )
    template = await client.post(
        "/api/v1/templates",
        json={"name": "Follow", "status": "investigating", "body": "Follow: {{ page_url }}"},
        headers=keys["comms_lead"],
    )
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"template_id": template.json()["id"], "customer": acme["id"]},
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    draft = created.json()["update"]
    assert draft["body"] == "Follow: [customer page link]"  # what the responder holds
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text

    await drain(worker)
    (request,) = receiver.received
    (update,) = request.json()["incident"]["incident_updates"]
    assert update["body"] == f"Follow: {acme['page_url']}incidents/{incident['id']}"
