"""Subscribing by SMS from the public page: a code is texted to the number (through a local
Twilio), and typing it on the page confirms the number."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.delivery import FAST, drain

NUMBER = "+14155550100"


@pytest.fixture
def settings(base_settings, twilio, request):
    marked = request.node.get_closest_marker("settings")
    overrides = {**twilio.settings(), **(marked.kwargs if marked else {})}
    return replace(base_settings, worker_concurrency=2, **overrides)


async def send_all(settings, sessionmaker) -> None:
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()


def ticket_of(page: str) -> str:
    return re.search(r'name="ticket" value="([^"]+)"', page).group(1)


async def ask_for_a_code(client, prefix="", number="+1 415 555 0100"):
    return await client.post(f"{prefix}/subscribe/sms", data={"phone": number})


async def test_the_subscribe_page_offers_sms_when_an_sms_account_is_set_up(client):
    page = await client.get("/subscribe")
    assert "By SMS" in page.text and 'action="/subscribe/sms"' in page.text


@pytest.mark.settings(twilio_account_sid=None)
async def test_the_subscribe_page_offers_no_sms_without_an_sms_account(client):
    page = await client.get("/subscribe")
    assert "By SMS" not in page.text
    refused = await client.post("/subscribe/sms", data={"phone": NUMBER})
    assert refused.status_code == 422
    assert "SMS updates are not offered here" in refused.text


async def test_the_code_texted_to_the_number_confirms_it(
    client, keys, settings, sessionmaker, twilio
):
    asked = await ask_for_a_code(client)
    assert asked.status_code == 200
    assert "a code is on its way to <strong>+1 415 555 0100</strong>" in asked.text
    await send_all(settings, sessionmaker)
    (text,) = twilio.sent
    assert text.to == NUMBER
    code = re.match(r"(\d{6}) is your code to confirm Example status updates", text.body).group(1)

    wrong = await client.post(
        "/subscribe/sms/code",
        data={"ticket": ticket_of(asked.text), "phone": NUMBER, "code": "12345x"},
    )
    assert wrong.status_code == 422
    assert "That code is not the one we sent" in wrong.text
    right = await client.post(
        "/subscribe/sms/code",
        data={"ticket": ticket_of(wrong.text), "phone": NUMBER, "code": f" {code} "},
    )
    assert right.status_code == 200
    assert "Confirmed." in right.text
    (subscriber,) = (await client.get("/api/v1/subscribers", headers=keys["comms_lead"])).json()
    assert (subscriber["kind"], subscriber["address"], subscriber["state"]) == (
        "sms",
        NUMBER,
        "active",
    )


async def test_a_number_already_subscribed_gets_the_same_answer_and_a_text_saying_so(
    client, keys, settings, sessionmaker, twilio
):
    await factories._post(
        client, "/api/v1/subscribers", keys["comms_lead"], {"kind": "sms", "address": NUMBER}
    )
    known = await ask_for_a_code(client)
    new = await ask_for_a_code(client, number="+1 415 555 0101")
    assert known.status_code == new.status_code == 200

    def without_numbers(page: str) -> str:
        return re.sub(r'value="[^"]+"|\+1 415 555 010\d', "", page)

    assert without_numbers(known.text) == without_numbers(new.text)
    await send_all(settings, sessionmaker)
    bodies = {s.to: s.body for s in twilio.sent}
    assert bodies[NUMBER].startswith("This number already gets Example status updates by SMS")
    assert "is your code" in bodies["+14155550101"]


async def test_guessing_the_code_stops_after_a_few_tries(client):
    asked = await ask_for_a_code(client)
    ticket = ticket_of(asked.text)
    answers = [
        (
            await client.post(
                "/subscribe/sms/code", data={"ticket": ticket, "phone": NUMBER, "code": "1"}
            )
        ).status_code
        for _ in range(6)
    ]
    assert answers == [422] * 5 + [429]


async def test_a_bad_number_is_refused_on_the_form_with_what_is_expected(client):
    refused = await ask_for_a_code(client, number="call me")
    assert refused.status_code == 422
    assert "phone: must be a phone number with its country code" in refused.text
    assert 'aria-invalid="true"' in refused.text


async def test_a_customers_page_subscribes_the_number_to_that_customers_updates(client, keys):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    asked = await ask_for_a_code(client, prefix=f"/c/{token}")
    assert asked.status_code == 200
    (subscriber,) = (await client.get("/api/v1/subscribers", headers=keys["comms_lead"])).json()
    assert subscriber["customer"] == acme["id"] and subscriber["state"] == "pending"
