"""Adding Slack and Teams subscribers: the same refusal of private addresses as webhooks."""

from __future__ import annotations

from dataclasses import replace

import pytest


@pytest.fixture
def settings(base_settings):
    return replace(base_settings, webhook_allow_private=False)


@pytest.mark.parametrize("kind", ["slack", "teams"])
async def test_a_chat_url_on_a_private_address_is_refused_with_a_message(client, keys, kind):
    response = await client.post(
        "/api/v1/subscribers",
        json={"kind": kind, "url": "http://10.0.0.5/services/T/B/X"},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 422, response.text
    assert "not a public internet address" in response.text


async def test_an_unknown_kind_is_refused_naming_the_kinds(client, keys):
    response = await client.post(
        "/api/v1/subscribers",
        json={"kind": "pager", "url": "https://example.com/x"},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 422, response.text
    assert "email, webhook, slack, teams or sms" in response.text
