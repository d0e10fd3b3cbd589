"""What the Statuspage Manage API publishes reaches subscribers, as through our own API: its
adapter publishes through `app.comms.review.publishing`, the one publishing verb, which writes the
outbox too."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.delivery.models import Delivery, Message
from app.settings import page_id_for
from tests.support import factories

HOOK = {"kind": "webhook", "url": "http://127.0.0.1:9/hook"}  # never called: nothing is sent


@pytest.fixture
def settings(base_settings):  # type: ignore[no-untyped-def]
    return replace(base_settings, webhook_allow_private=True)


async def _outbox(sessionmaker, message: Message) -> int:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        query = select(func.count()).select_from(Delivery).where(Delivery.message == message)
        return await session.scalar(query) or 0


def _oauth(headers: dict[str, str]) -> dict[str, str]:
    return {"Authorization": "OAuth " + headers["Authorization"].split(" ", 1)[1]}


async def test_an_incident_published_through_the_manage_api_is_sent_to_subscribers(
    client, keys, settings, sessionmaker
):
    await factories._post(client, "/api/v1/subscribers", keys["comms_lead"], HOOK)
    created = await client.post(
        f"/v1/pages/{page_id_for(settings)}/incidents",
        json={"incident": {"name": "Checkout errors", "status": "investigating", "body": "x"}},
        headers=_oauth(keys["comms_lead"]),
    )
    assert created.status_code == 201, created.text
    assert await _outbox(sessionmaker, Message.INCIDENT_UPDATE) == 1


async def test_a_component_status_set_through_the_manage_api_is_sent_to_webhooks(
    client, keys, settings, sessionmaker
):
    api = await factories.component(client, keys["admin"], "API")
    await factories._post(client, "/api/v1/subscribers", keys["comms_lead"], HOOK)
    changed = await client.patch(
        f"/v1/pages/{page_id_for(settings)}/components/{api['id']}",
        json={"component": {"status": "major_outage"}},
        headers=_oauth(keys["responder"]),
    )
    assert changed.status_code == 200, changed.text
    assert await _outbox(sessionmaker, Message.COMPONENT_UPDATE) == 1
