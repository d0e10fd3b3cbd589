"""Slack and Teams cards in the subscriber's language, posted to a real local receiver: the
card's own words (its facts, its link, the promised time) are theirs; the update's words are
as published."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block

from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.delivery import FAST, drain


@pytest.fixture
def settings(base_settings, request):
    marked = request.node.get_closest_marker("settings")
    overrides = marked.kwargs if marked else {}
    return replace(base_settings, webhook_allow_private=True, worker_concurrency=2, **overrides)


@pytest.fixture
async def worker(settings, sessionmaker):
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    yield worker
    await worker.close()


async def chat_subscriber(client, keys, kind, url, **fields):
    return await factories._post(
        client, "/api/v1/subscribers", keys["comms_lead"], {"kind": kind, "url": url, **fields}
    )


async def publish_outage(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client, keys["responder"], "API errors", impact="major", components=[{"id": api["id"]}]
    )
    promised = datetime(2031, 1, 15, 13, 30, tzinfo=UTC)
    return await factories.publish(
        client,
        keys["comms_lead"],
        incident["id"],
        "We are looking into errors on the API.",
        next_update_at=promised.isoformat(),
    )


async def test_a_german_slack_channel_gets_its_card_in_german(client, keys, receiver, worker):
    await chat_subscriber(client, keys, "slack", receiver.url, language="de")
    await publish_outage(client, keys)
    await drain(worker)
    (received,) = receiver.received
    body = received.json()
    for block in body["blocks"]:
        Block.parse(block).validate_json()
    fields = [f["text"] for b in body["blocks"] if "fields" in b for f in b["fields"]]
    names = [field.split("\n")[0] for field in fields]
    assert names == ["*Status*", "*Auswirkung*", "*Betroffen*", "*Nächstes Update bis*"]
    assert "*Nächstes Update bis*\n15. Jan., 13:30 UTC" in fields
    assert "Nächstes Update bis 15. Jan., 13:30 UTC." in body["text"]
    assert "We are looking into errors on the API." in body["text"]


async def test_a_japanese_teams_channel_gets_its_card_in_japanese(client, keys, receiver, worker):
    await chat_subscriber(client, keys, "teams", receiver.url, language="ja")
    await publish_outage(client, keys)
    await drain(worker)
    (received,) = receiver.received
    card = received.json()["attachments"][0]["content"]
    (facts,) = [e for e in card["body"] if e["type"] == "FactSet"]
    assert [f["title"] for f in facts["facts"]] == [
        "ステータス",
        "影響度",
        "影響範囲",
        "次回更新予定",
    ]
    assert {"title": "次回更新予定", "value": "1月15日 13:30 UTC"} in facts["facts"]
    (action,) = card["actions"]
    assert action["title"] == "障害の詳細を見る"


@pytest.mark.settings(language="fr")
async def test_on_a_french_site_a_slack_channel_is_welcomed_in_french(client, receiver, worker):
    response = await client.post("/subscribe", data={"channel": "slack", "url": receiver.url})
    assert response.status_code == 200, response.text
    await drain(worker)
    (first,) = receiver.received
    welcome = first.json()
    assert welcome["text"].startswith("Abonné aux mises à jour de statut de Example\n")
    assert "Pour choisir les composants ou vous désabonner : http" in welcome["text"]
