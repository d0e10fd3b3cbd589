"""Slack and Microsoft Teams from the public subscribe page: subscribing, confirmed by the
first message, and the "send a test message" button, against a real local receiver.

The receiver listens on loopback, so these pages allow private addresses; the refusal of
private addresses is tested with the default settings at the end.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from slack_sdk.models.blocks import Block
from sqlalchemy import func, select

from app.delivery.jobs import DeliveryWorker
from app.subscribers.models import Subscriber
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


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def slack_blocks(body: dict) -> list[Block]:
    """The message's blocks as Slack's own models read them; a bad block fails here."""
    blocks = [Block.parse(b) for b in body["blocks"]]
    for block in blocks:
        assert block is not None
        block.validate_json()
    return blocks


def adaptive_card(message: dict) -> dict:
    """The card of a Teams workflow message, checked for the schema's required fields."""
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"]
    assert all("type" in element for element in card["body"] + card.get("actions", []))
    return card


async def subscribers(db) -> int:
    return await db.scalar(select(func.count()).select_from(Subscriber)) or 0


async def test_a_slack_channel_subscribes_and_its_first_message_starts_the_subscription(
    client, keys, receiver, worker, db
):
    page = await client.get("/subscribe")
    assert 'value="slack"' in page.text and 'value="teams"' in page.text

    response = await client.post("/subscribe", data={"channel": "slack", "url": receiver.url})

    assert response.status_code == 200, response.text
    assert "We sent a first message to your Slack channel" in words(response)
    await drain(worker)
    (first,) = receiver.received
    welcome = first.json()
    slack_blocks(welcome)
    assert "Subscribed to Example status updates" in welcome["text"]
    assert "/subscription/" in welcome["text"]  # the way to unsubscribe
    subscriber = await db.scalar(select(Subscriber))
    assert (subscriber.kind, subscriber.state) == ("slack", "active")

    update = await factories.incident(
        client, keys["comms_lead"], "Slow API", body="We are looking into it.", publish=True
    )
    await drain(worker)
    assert len(receiver.received) == 2
    card = receiver.received[1].json()
    slack_blocks(card)
    assert f"/incidents/{update['id']}|Slow API>" in str(card["blocks"])


async def test_a_teams_channel_subscribes_from_a_customers_page_for_chosen_components(
    client, keys, receiver, worker, db
):
    api = await factories.component(client, keys["admin"], "API")
    await factories.component(client, keys["admin"], "Dashboard")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    page = await client.get(f"/c/{token}/subscribe")
    assert "Microsoft Teams" in page.text

    response = await client.post(
        f"/c/{token}/subscribe",
        data={"channel": "teams", "url": receiver.url, "components": [api["id"]]},
    )

    assert response.status_code == 200, response.text
    assert "first message to your Microsoft Teams channel" in words(response)
    await drain(worker)
    card = adaptive_card(receiver.received[0].json())
    assert "Subscribed to Example for Acme status updates" in str(card["body"])
    subscriber = await db.scalar(select(Subscriber))
    assert subscriber.kind == "teams" and subscriber.customer_id == acme["id"]
    assert subscriber.all_components is False and subscriber.state == "active"


async def test_the_test_button_posts_a_valid_slack_message_and_saves_nothing(client, receiver, db):
    response = await client.post("/subscribe/test", data={"channel": "slack", "url": receiver.url})

    assert response.status_code == 200, response.text
    assert "✓ The test message was sent: Slack answered HTTP 200." in words(response)
    (sent,) = receiver.received
    body = sent.json()
    slack_blocks(body)
    assert "Test message from Example" in body["text"]
    assert await subscribers(db) == 0
    # The form comes back as it was, ready to subscribe.
    assert f'value="{receiver.url}"' in response.text
    assert re.search(r'value="slack"\s+checked', response.text)


async def test_the_test_button_posts_a_valid_teams_card(client, receiver):
    response = await client.post("/subscribe/test", data={"channel": "teams", "url": receiver.url})

    assert "Microsoft Teams answered HTTP 200" in words(response)
    card = adaptive_card(receiver.received[0].json())
    assert "Test message from Example" in str(card["body"])
    assert card["fallbackText"].startswith("Test message from Example")


async def test_the_test_button_reports_a_404_as_a_failure(client, receiver):
    receiver.script = [404]

    response = await client.post("/subscribe/test", data={"channel": "slack", "url": receiver.url})

    assert response.status_code == 200
    seen = words(response)
    assert "✗ The test message did not arrive: Slack answered HTTP 404" in seen
    assert "may have been deleted" in seen


async def test_the_test_button_is_for_slack_and_teams_only(client, receiver):
    response = await client.post(
        "/subscribe/test", data={"channel": "webhook", "url": receiver.url}
    )

    assert response.status_code == 422
    assert "a test message is for Slack and Microsoft Teams URLs" in words(response)
    assert receiver.received == []


async def test_one_visitor_gets_a_handful_of_test_messages_not_a_request_cannon(client, receiver):
    answers = [
        await client.post("/subscribe/test", data={"channel": "slack", "url": receiver.url})
        for _ in range(7)
    ]

    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    assert "too many test messages from here" in words(answers[-1])
    assert len(receiver.received) == 5


class TestPrivateAddresses:
    @pytest.fixture
    def settings(self, base_settings):
        return replace(base_settings, webhook_allow_private=False)

    @pytest.mark.parametrize("path", ["/subscribe", "/subscribe/test"])
    @pytest.mark.parametrize("kind", ["slack", "teams"])
    async def test_a_private_address_is_refused_with_a_message(
        self, client, receiver, db, path, kind
    ):
        response = await client.post(path, data={"channel": kind, "url": receiver.url})

        assert response.status_code == 422
        assert "points to 127.0.0.1, which is not a public internet address" in words(response)
        assert receiver.received == [] and await subscribers(db) == 0

    @pytest.mark.parametrize(
        "host",
        ["169.254.169.254", "100.100.100.200", "[::ffff:127.0.0.1]", "[64:ff9b::a9fe:a9fe]"],
    )
    async def test_the_test_button_never_aims_at_a_non_global_address(self, client, host):
        response = await client.post(
            "/subscribe/test", data={"channel": "slack", "url": f"http://{host}/services/x"}
        )

        assert response.status_code == 422
        assert "which is not a public internet address" in words(response)
        assert "✓" not in words(response) and "✗" not in words(response)  # nothing was sent
