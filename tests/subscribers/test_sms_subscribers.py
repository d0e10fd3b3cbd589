"""SMS subscribers as the team and its tools add them, and what the review queue says of an
update's SMS before approving it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.delivery.jobs import DeliveryWorker
from app.settings import page_id_for
from tests.support import factories
from tests.support.delivery import FAST, drain
from tests.support.desk import csrf, sign_in


@pytest.fixture
def settings(base_settings, twilio):
    return replace(base_settings, worker_concurrency=2, **twilio.settings())


async def test_the_manage_api_takes_a_phone_number_and_answers_it_back(client, keys, settings):
    lead = {"Authorization": "OAuth " + keys["comms_lead"]["Authorization"].split(" ", 1)[1]}
    base = f"/v1/pages/{page_id_for(settings)}"
    created = await client.post(
        f"{base}/subscribers",
        json={"subscriber": {"phone_number": "415 555 0100", "phone_country": "us"}},
        headers=lead,
    )
    assert created.status_code == 201, created.text
    subscriber = created.json()
    assert subscriber["mode"] == "sms"
    assert subscriber["phone_number"] == "+14155550100"
    assert subscriber["phone_country"] == "US"
    assert subscriber["display_phone_number"] == "+1 415-555-0100"
    assert subscriber["email"] is None
    bad = await client.post(
        f"{base}/subscribers", json={"subscriber": {"phone_number": "12"}}, headers=lead
    )
    assert bad.status_code == 422
    assert "subscriber[phone_number]" in bad.json()["message"]


async def submitted(client, keys, incident_id, body, status):
    created = await client.post(
        f"/api/v1/incidents/{incident_id}/drafts",
        json={"body": body, "status": status},
        headers=keys["responder"],
    )
    draft_id = created.json()["update"]["id"]
    await client.post(f"/api/v1/updates/{draft_id}/submit", headers=keys["responder"])
    return draft_id


async def test_the_queue_card_shows_the_sms_its_segments_and_what_it_costs(client, users, keys):
    for number in ("+14155550100", "+14155550101", "+33612345678"):
        await factories._post(
            client, "/api/v1/subscribers", keys["comms_lead"], {"kind": "sms", "address": number}
        )
    incident = await factories.incident(client, keys["responder"], "API errors")
    await submitted(client, keys, incident["id"], "We are looking into it.", "investigating")
    await sign_in(client, "lead")

    queue = await client.get("/admin/queue")

    assert "Sent by SMS: 1 SMS (GSM-7," in queue.text
    assert "3 numbers, 3 SMS in all" in queue.text
    assert "Example: API errors\nInvestigating: We are looking into it." in queue.text
    assert 'name="sms"' not in queue.text  # the opening goes by SMS anyway
    (item,) = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert item["sms"]["encoding"] == "GSM-7"
    assert (item["sms"]["segments"], item["sms"]["numbers"], item["sms"]["cost"]) == (1, 3, 3)
    assert item["sms"]["by_default"] is True
    assert item["recipients"]["channels"] == {"sms": 3}


async def test_a_queue_card_says_nothing_of_sms_when_no_number_would_get_it(client, users, keys):
    incident = await factories.incident(client, keys["responder"], "API errors")
    await submitted(client, keys, incident["id"], "We are looking into it.", "investigating")
    await sign_in(client, "lead")

    queue = await client.get("/admin/queue")

    assert "Approve and publish" in queue.text
    assert "SMS" not in queue.text
    (item,) = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert item["sms"] is None


async def test_a_mid_incident_update_is_offered_by_sms_with_its_cost_and_sent_if_chosen(
    client, users, keys, twilio, settings, sessionmaker
):
    await factories._post(
        client,
        "/api/v1/subscribers",
        keys["comms_lead"],
        {"kind": "sms", "address": "+14155550100"},
    )
    # A title this long leaves too little room for the words: two SMS, however they are cut.
    title = "API errors on every endpoint in the EU and US regions, for v1 and v2 API clients"
    incident = await factories.incident(client, keys["responder"], title)
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")
    long_words = "We found the cause: " + "a long explanation " * 12
    draft_id = await submitted(client, keys, incident["id"], long_words, "identified")
    await sign_in(client, "lead")
    queue = await client.get("/admin/queue")
    assert "Not sent by SMS unless chosen: 2 SMS (GSM-7," in queue.text
    assert "1 number, 2 SMS in all" in queue.text
    assert "Send this update by SMS (2 SMS)" in queue.text

    approved = await client.post(
        f"/admin/updates/{draft_id}/approve",
        data={"_csrf": csrf(queue.text), "sms": "on"},
        headers={"Accept": "text/html"},
    )
    assert "Approved and published." in approved.text
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()
    assert sorted(s.body.splitlines()[1][:31] for s in twilio.sent) == [
        "Identified: We found the cause:",
        "Investigating: Looking into it.",
    ]
