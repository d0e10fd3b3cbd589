"""Replies to our SMS number, as Twilio POSTs them to the reply webhook, signed with the
account's auth token: STOP stops at once, START takes up again, HELP is answered."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from app.delivery.jobs import DeliveryWorker
from app.delivery.models import Delivery
from tests.support import factories
from tests.support.delivery import FAST, drain
from tests.support.twilio import SID, signed_reply

NUMBER = "+14155550100"
HOOK = "/hooks/twilio/sms"


@pytest.fixture
def settings(base_settings, twilio):
    return replace(base_settings, worker_concurrency=2, **twilio.settings())


def reply_fields(body: str, number: str = NUMBER) -> dict[str, str]:
    return {
        "From": number,
        "To": "+15005550006",
        "Body": body,
        "MessageSid": "SM" + "1" * 32,
        "AccountSid": SID,
    }


async def text_back(client, settings, body, *, signature=None):
    fields = reply_fields(body)
    headers = signed_reply(settings.base_url + HOOK, fields)
    if signature is not None:
        headers = {"X-Twilio-Signature": signature}
    return await client.post(HOOK, data=fields, headers=headers)


async def state_of(client, keys, subscriber):
    path = f"/api/v1/subscribers/{subscriber['id']}"
    return (await client.get(path, headers=keys["comms_lead"])).json()


async def test_stop_disables_the_number_at_once_and_what_was_queued_is_not_sent(
    client, keys, settings, sessionmaker, twilio
):
    subscriber = await factories._post(
        client, "/api/v1/subscribers", keys["comms_lead"], {"kind": "sms", "address": NUMBER}
    )
    incident = await factories.incident(client, keys["responder"], "API errors")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")

    answer = await text_back(client, settings, "Stop")  # queued before, not sent yet

    assert answer.status_code == 200
    assert answer.text.endswith("<Response></Response>")
    shown = await state_of(client, keys, subscriber)
    assert shown["state"] == "disabled"
    assert shown["disabled_reason"] == "the number replied STOP"
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()
    assert twilio.sent == []
    async with sessionmaker() as session:
        (delivery,) = await session.scalars(select(Delivery))
        assert delivery.state == "skipped"


async def test_a_reply_with_a_wrong_signature_is_refused_and_changes_nothing(
    client, keys, settings
):
    subscriber = await factories._post(
        client, "/api/v1/subscribers", keys["comms_lead"], {"kind": "sms", "address": NUMBER}
    )
    forged = signed_reply(settings.base_url + HOOK, reply_fields("STOP"), token="not-the-token")
    answer = await text_back(client, settings, "STOP", signature=forged["X-Twilio-Signature"])
    assert answer.status_code == 403
    unsigned = await client.post(HOOK, data=reply_fields("STOP"))
    assert unsigned.status_code == 403
    assert (await state_of(client, keys, subscriber))["state"] == "active"


async def test_start_takes_sms_up_again_after_stop(client, keys, settings):
    subscriber = await factories._post(
        client, "/api/v1/subscribers", keys["comms_lead"], {"kind": "sms", "address": NUMBER}
    )
    await text_back(client, settings, "UNSUBSCRIBE")
    assert (await state_of(client, keys, subscriber))["state"] == "disabled"
    answer = await text_back(client, settings, "start")
    assert answer.status_code == 200
    assert (await state_of(client, keys, subscriber))["state"] == "active"


async def test_help_is_answered_with_what_the_number_is_and_how_to_stop(client, keys, settings):
    answer = await text_back(client, settings, "HELP")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    assert "<Message>Example status updates by SMS. Reply STOP" in answer.text
