"""Slack and Microsoft Teams subscribers: cards posted to a real local HTTP receiver,
validated as Slack's own models parse them and against the Adaptive Card's required fields."""

from __future__ import annotations

from dataclasses import replace

import pytest
from slack_sdk.models.blocks import Block

from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.delivery import FAST, drain


@pytest.fixture
def settings(base_settings):
    return replace(base_settings, webhook_allow_private=True, worker_concurrency=2)


async def chat_subscriber(client, keys, kind, url, **fields):
    return await factories._post(
        client, "/api/v1/subscribers", keys["comms_lead"], {"kind": kind, "url": url, **fields}
    )


async def publish_outage(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client, keys["responder"], "API errors", impact="major", components=[{"id": api["id"]}]
    )
    return await factories.publish(
        client, keys["comms_lead"], incident["id"], "We are looking into errors on the API."
    )


async def test_a_slack_subscriber_gets_a_block_kit_message_with_a_plain_text_fallback(
    client, keys, receiver, settings, sessionmaker
):
    await chat_subscriber(client, keys, "slack", receiver.url)
    update = await publish_outage(client, keys)
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()
    assert len(receiver.received) == 1
    body = receiver.received[0].json()
    blocks = [Block.parse(b) for b in body["blocks"]]  # Slack's models refuse a bad block
    assert all(block is not None for block in blocks)
    for block in blocks:
        block.validate_json()
    text = str(body["blocks"])
    assert f"/incidents/{update['incident_id']}|API errors>" in text
    assert "Investigating" in text and "Major" in text and "API" in text
    assert "We are looking into errors on the API." in text
    assert "API errors" in body["text"] and "looking into errors" in body["text"]


async def test_a_teams_subscriber_gets_an_adaptive_card_with_the_same_content(
    client, keys, receiver, settings, sessionmaker
):
    await chat_subscriber(client, keys, "teams", receiver.url)
    update = await publish_outage(client, keys)
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()
    message = receiver.received[0].json()
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    # The Adaptive Card schema's required fields: type and version (and each element's type).
    assert card["type"] == "AdaptiveCard" and card["version"]
    assert all("type" in element for element in card["body"] + card["actions"])
    facts = {f["title"]: f["value"] for f in card["body"][1]["facts"]}
    assert facts["Status"] == "Investigating" and facts["Impact"] == "Major"
    assert facts["Affected"] == "API"
    assert card["body"][2]["text"] == "We are looking into errors on the API."
    assert card["actions"][0]["url"].endswith(f"/incidents/{update['incident_id']}")
    assert "API errors" in card["fallbackText"]


@pytest.mark.parametrize("status", [404, 410])
async def test_a_deleted_slack_webhook_disables_the_subscriber_and_says_why(
    client, keys, receiver, settings, sessionmaker, status
):
    subscriber = await chat_subscriber(client, keys, "slack", receiver.url)
    receiver.script = [status]
    await publish_outage(client, keys)
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()
    shown = (
        await client.get(f"/api/v1/subscribers/{subscriber['id']}", headers=keys["comms_lead"])
    ).json()
    assert shown["state"] == "disabled"
    assert f"HTTP {status}" in (shown.get("disabled_reason") or "")
