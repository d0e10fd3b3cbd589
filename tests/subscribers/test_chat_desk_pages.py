"""Slack, Teams and webhooks on the desk's subscriber page: add one, or first try a Slack or
Teams URL with a test message, against a real local receiver."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from slack_sdk.models.blocks import Block

from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.delivery import FAST, drain
from tests.support.desk import csrf, sign_in

pytestmark = pytest.mark.usefixtures("users")
PAGE = "/admin/subscribers"


@pytest.fixture
def settings(base_settings):
    return replace(base_settings, webhook_allow_private=True)


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


async def test_a_comms_lead_adds_a_teams_channel_for_a_customer_and_it_gets_the_update(
    client, keys, receiver, settings, sessionmaker
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    await sign_in(client, "lead")
    form = await client.get(PAGE)
    assert "Add a webhook, Slack or Teams channel" in form.text

    added = await client.post(
        f"{PAGE}/channel",
        data={
            "_csrf": csrf(form.text),
            "kind": "teams",
            "url": receiver.url,
            "customer": acme["id"],
            "components": api["id"],
        },
    )

    assert added.status_code == 200, added.text
    assert f"Added the Microsoft Teams {receiver.url}, active." in words(added)
    [listed] = (
        await client.get(f"/api/v1/subscribers?customer={acme['id']}", headers=keys["comms_lead"])
    ).json()
    assert (listed["kind"], listed["state"], listed["components"]) == (
        "teams",
        "active",
        [api["id"]],
    )
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        components=[{"id": api["id"]}],
        customers=[acme["id"]],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()
    (sent,) = receiver.received  # no welcome message: the team vouches for it
    card = sent.json()["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and "API errors" in str(card["body"])


async def test_a_slack_channel_added_on_the_desk_is_listed_as_slack(client, receiver):
    await sign_in(client, "lead")
    form = await client.get(PAGE)

    added = await client.post(
        f"{PAGE}/channel", data={"_csrf": csrf(form.text), "kind": "slack", "url": receiver.url}
    )

    assert f"Added the Slack {receiver.url}, active." in words(added)
    assert re.search(r"<td>Slack</td>", added.text)


async def test_a_webhook_added_on_the_desk_shows_its_secret_once(client, receiver):
    await sign_in(client, "lead")
    form = await client.get(PAGE)

    added = await client.post(
        f"{PAGE}/channel",
        data={"_csrf": csrf(form.text), "kind": "webhook", "url": receiver.url},
    )

    assert added.status_code == 200
    assert re.search(r"whsec_[A-Za-z0-9+/=]+", added.text)
    again = await client.get(PAGE)
    assert "whsec_" not in again.text


async def test_the_desk_test_button_posts_a_valid_slack_message_and_saves_nothing(
    client, keys, receiver
):
    await sign_in(client, "lead")
    form = await client.get(PAGE)

    tried = await client.post(
        f"{PAGE}/test", data={"_csrf": csrf(form.text), "kind": "slack", "url": receiver.url}
    )

    assert tried.status_code == 200, tried.text
    assert "✓ The test message was sent: Slack answered HTTP 200." in words(tried)
    body = receiver.received[0].json()
    for block in body["blocks"]:
        Block.parse(block).validate_json()
    assert (await client.get("/api/v1/subscribers", headers=keys["comms_lead"])).json() == []
    assert f'value="{receiver.url}"' in tried.text  # the form is filled in as it was


async def test_the_desk_test_button_reports_a_410_as_a_failure(client, receiver):
    receiver.script = [410]
    await sign_in(client, "lead")
    form = await client.get(PAGE)

    tried = await client.post(
        f"{PAGE}/test", data={"_csrf": csrf(form.text), "kind": "teams", "url": receiver.url}
    )

    assert "✗ The test message did not arrive: Microsoft Teams answered HTTP 410" in words(tried)


class TestPrivateAddresses:
    @pytest.fixture
    def settings(self, base_settings):
        return replace(base_settings, webhook_allow_private=False)

    @pytest.mark.parametrize("action", ["channel", "test"])
    async def test_a_private_address_is_refused_with_a_message(
        self, client, keys, receiver, action
    ):
        await sign_in(client, "lead")
        form = await client.get(PAGE)

        refused = await client.post(
            f"{PAGE}/{action}",
            data={"_csrf": csrf(form.text), "kind": "slack", "url": receiver.url},
        )

        assert refused.status_code == 422
        assert "not a public internet address" in words(refused)
        assert receiver.received == []
        assert (await client.get("/api/v1/subscribers", headers=keys["comms_lead"])).json() == []
