"""An email states the zone of every time inside its words, the page's zone, as the page
does: "next update by 14:30 CET", never a bare clock time or a zone's database name."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.support import factories
from tests.support.delivery import drain

pytestmark = pytest.mark.settings(time_zone="Europe/Paris")


async def test_a_promise_inside_the_words_names_the_pages_zone_in_the_email(
    client, keys, smtp, worker
):
    api = await factories.component(client, keys["admin"], "API")
    await factories.contact(client, keys["comms_lead"], "ops@example.org")
    incident = await factories.incident(
        client,
        keys["comms_lead"],
        "Elevated API errors",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    template = await client.post(
        "/api/v1/templates",
        json={
            "name": "Investigating",
            "status": "investigating",
            "body": "{{ components_text }} fails for some. Next update by {{ next_update_at }}.",
        },
        headers=keys["comms_lead"],
    )
    assert template.status_code == 201, template.text
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={
            "template_id": template.json()["id"],
            "next_update_at": datetime(2031, 1, 15, 13, 30, tzinfo=UTC).isoformat(),
        },
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    draft = created.json()["update"]
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text
    assert "Next update by 14:30 CET." in approved.json()["body"]  # 13:30 UTC in Paris
    await drain(worker)
    (message,) = smtp.to("ops@example.org")
    text = message.get_body(("plain",)).get_content()
    assert "Next update by 14:30 CET." in text
    assert not re.search(r"\b\d{2}:\d{2}(?! (?:CET|CEST))", text.split("Times are in")[0])
    assert "Times are in CET" in text
