"""No private link in a responder's hands: a customer's page link (its token) is never in a
template preview, a draft, the queue, the audit log or the API that a responder reads. Each
reader's own link is put in only when the message is sent."""

from __future__ import annotations

from typing import Any

from tests.support import factories
from tests.support.delivery import drain
from tests.support.desk import sign_in

FOLLOW = "We're sorry: the API fails for {{ customer_name }}. Follow it here: {{ page_url }}"


async def _world(client, keys) -> tuple[dict[str, Any], dict[str, Any], str]:  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident = await factories.incident(
        client,
        keys["responder"],
        "Errors on the API",
        visibility="customers",
        customers=[acme["id"]],
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    return acme, incident, token


async def test_a_responder_previewing_a_template_for_a_customer_sees_a_stand_in_for_its_link(
    client, keys
):
    acme, incident, token = await _world(client, keys)
    wanted = {"incident_id": incident["id"], "customer": acme["id"], "body": FOLLOW}

    responder = await client.post(
        "/api/v1/templates/preview", json=wanted, headers=keys["responder"]
    )
    assert responder.status_code == 200, responder.text
    assert token not in responder.text
    assert "Follow it here: [customer page link]" in responder.json()["body"]

    # A comms lead may hold the customer's link: their preview shows it.
    lead = await client.post("/api/v1/templates/preview", json=wanted, headers=keys["comms_lead"])
    assert f"{acme['page_url']}incidents/{incident['id']}" in lead.json()["body"]


async def test_a_draft_for_a_customer_holds_no_private_link_and_its_email_carries_the_readers_own(
    client, keys, users, smtp, worker
):
    acme, incident, token = await _world(client, keys)
    await factories.contact(client, keys["comms_lead"], "ops@acme.test", customer=acme["id"])
    template = await client.post(
        "/api/v1/templates",
        json={"name": "Acme follow", "status": "investigating", "body": FOLLOW},
        headers=keys["comms_lead"],
    )
    assert template.status_code == 201, template.text
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"template_id": template.json()["id"], "customer": acme["id"]},
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    draft = created.json()["update"]
    assert token not in created.text
    assert draft["body"].endswith("Follow it here: [customer page link]")
    submitted = await client.post(
        f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"]
    )
    assert submitted.status_code == 200, submitted.text

    # Whatever a responder reads of it: the API, the desk's draft page.
    for path in (f"/api/v1/updates/{draft['id']}", "/api/v1/drafts/mine"):
        read = await client.get(path, headers=keys["responder"])
        assert read.status_code == 200, read.text
        assert token not in read.text
    await sign_in(client, "rita")
    desk = await client.get(f"/admin/updates/{draft['id']}")
    assert desk.status_code == 200
    assert token not in desk.text
    assert "[customer page link]" in desk.text

    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text
    assert token not in approved.text
    audit = await client.get(f"/api/v1/incidents/{incident['id']}/audit", headers=keys["admin"])
    assert audit.status_code == 200, audit.text
    assert token not in audit.text

    await drain(worker)
    (message,) = smtp.messages
    text = message.get_body(("plain",)).get_content()
    assert f"Follow it here: {acme['page_url']}incidents/{incident['id']}" in text
    assert "[customer page link]" not in text
