"""SMS subscribers: texts sent through a local stand-in for Twilio's Messages API, which
checks the request as Twilio reads it (the account in the path, Basic auth, form fields)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.delivery import FAST, drain
from tests.support.twilio import FROM

NUMBER = "+14155550100"


@pytest.fixture
def settings(base_settings, twilio):
    # Private addresses stay refused for the URLs users give (webhooks): Twilio's base URL
    # on loopback is allowed because the operator set it.
    return replace(base_settings, worker_concurrency=2, **twilio.settings())


async def sms_subscriber(client, keys, number=NUMBER, **fields):
    return await factories._post(
        client,
        "/api/v1/subscribers",
        keys["comms_lead"],
        {"kind": "sms", "address": number, **fields},
    )


async def send_all(settings, sessionmaker) -> None:
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()


async def approve(client, keys, incident_id, body, status="investigating", **choices):
    lead = keys["comms_lead"]
    created = await factories._post(
        client,
        f"/api/v1/incidents/{incident_id}/drafts",
        keys["responder"],
        {"status": status, "body": body},
    )
    draft = created["update"]
    submitted = await client.post(
        f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"]
    )
    assert submitted.status_code == 200, submitted.text
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", json=choices, headers=lead
    )
    assert approved.status_code == 200, approved.text
    return approved.json()


async def test_approving_an_incidents_first_words_texts_each_sms_subscriber_through_twilio(
    client, keys, settings, sessionmaker, twilio
):
    subscriber = await sms_subscriber(client, keys, "+1 (415) 555-0100")
    assert subscriber["address"] == NUMBER  # kept in E.164
    incident = await factories.incident(client, keys["responder"], "API errors", impact="major")
    await approve(client, keys, incident["id"], "We are looking into **errors** on the API.")

    await send_all(settings, sessionmaker)

    assert twilio.refused == []
    (sent,) = twilio.sent
    assert (sent.to, sent.sender) == (NUMBER, FROM)
    assert sent.body == (
        "Example: API errors\n"
        "Investigating: We are looking into errors on the API.\n"
        f"http://status.example.test/incidents/{incident['id']}"
    )


async def test_a_mid_incident_update_is_texted_only_when_the_reviewer_chooses_to(
    client, keys, settings, sessionmaker, twilio
):
    await sms_subscriber(client, keys)
    incident = await factories.incident(client, keys["responder"], "API errors", impact="major")
    await approve(client, keys, incident["id"], "We are looking into errors.")
    await approve(client, keys, incident["id"], "We found the cause.", status="identified")
    await send_all(settings, sessionmaker)
    assert [s.body.splitlines()[1] for s in twilio.sent] == [
        "Investigating: We are looking into errors."
    ]

    await approve(client, keys, incident["id"], "A fix is rolling out.", "monitoring", sms=True)
    await approve(client, keys, incident["id"], "All is well again.", status="resolved")
    await send_all(settings, sessionmaker)
    assert sorted(s.body.splitlines()[1] for s in twilio.sent[1:]) == [
        "Monitoring: A fix is rolling out.",
        "Resolved: All is well again.",
    ]


async def test_a_maintenance_is_texted_when_it_starts_and_ends_not_when_scheduled(
    client, keys, settings, sessionmaker, twilio
):
    await sms_subscriber(client, keys)
    window = await factories.maintenance(client, keys["comms_lead"], "Database upgrade")
    for status, words in (("in_progress", "Started."), ("completed", "Done.")):
        await factories.publish(client, keys["comms_lead"], window["id"], words, status=status)
    await send_all(settings, sessionmaker)
    assert sorted(s.body.splitlines()[1] for s in twilio.sent) == [
        "Completed: Done.",
        "In progress: Started.",
    ]


async def test_a_customers_sms_subscriber_gets_the_customers_own_page_link(
    client, keys, settings, sessionmaker, twilio
):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    await sms_subscriber(client, keys, customer=acme["id"])
    incident = await factories.incident(
        client, keys["responder"], "Acme's API errors", customers=[acme["id"]]
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")
    await send_all(settings, sessionmaker)
    (sent,) = twilio.sent
    assert sent.body.endswith(f"{acme['page_url']}incidents/{incident['id']}")


async def test_twilio_asking_to_slow_down_is_tried_again_and_sent(
    client, keys, settings, sessionmaker, twilio, clock
):
    await sms_subscriber(client, keys)
    twilio.script = [429]
    incident = await factories.incident(client, keys["responder"], "API errors")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")
    await send_all(settings, sessionmaker)
    assert twilio.sent == [] and twilio.script == []  # asked once, answered 429
    clock.advance(seconds=5)  # past the back-off
    await send_all(settings, sessionmaker)
    assert len(twilio.sent) == 1


async def test_a_number_that_replied_stop_to_twilio_is_disabled_and_not_tried_again(
    client, keys, settings, sessionmaker, twilio
):
    subscriber = await sms_subscriber(client, keys)
    twilio.script = ["stopped", "stopped"]
    incident = await factories.incident(client, keys["responder"], "API errors")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")
    await send_all(settings, sessionmaker)
    assert twilio.sent == [] and twilio.script == ["stopped"]  # asked once, not retried
    shown = (
        await client.get(f"/api/v1/subscribers/{subscriber['id']}", headers=keys["comms_lead"])
    ).json()
    assert shown["state"] == "disabled"
    assert "21610" in shown["disabled_reason"]


async def test_sms_numbers_are_checked_when_a_subscriber_is_added(client, keys):
    lead = keys["comms_lead"]
    bad = await client.post(
        "/api/v1/subscribers", json={"kind": "sms", "address": "555-CALL-ME"}, headers=lead
    )
    assert bad.status_code == 422
    assert "phone number with its country code" in bad.text
    await sms_subscriber(client, keys)
    again = await client.post(
        "/api/v1/subscribers", json={"kind": "sms", "address": "+1 415 555 0100"}, headers=lead
    )
    assert again.status_code == 409
