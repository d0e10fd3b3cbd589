"""A draft waiting in the queue on an incident whose promised update has lapsed says since
when it is overdue, in the desk's time zone; the incident's desk page says it too."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.lib.clock import as_utc
from tests.support import factories
from tests.support.desk import sign_in, text_of


@pytest.mark.settings(time_zone="Asia/Kolkata")
async def test_the_queue_card_and_the_incident_page_say_since_when_the_update_is_overdue(
    client, keys, users, clock
):
    incident = await factories.incident(
        client, keys["responder"], "Checkout errors", impact="major"
    )
    published = await factories.publish(client, keys["comms_lead"], incident["id"], "Failing.")
    due = as_utc(datetime.fromisoformat(published["next_update_at"]))
    since = due.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M")
    draft = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "Still failing; a fix is rolling out."},
        headers=keys["responder"],
    )
    draft_id = draft.json()["update"]["id"]
    await client.post(f"/api/v1/updates/{draft_id}/submit", headers=keys["responder"])
    await sign_in(client, "lead")
    assert "Overdue since" not in text_of(await client.get("/admin/queue"))

    clock.advance(minutes=31)
    queue = text_of(await client.get("/admin/queue"))
    assert f"Overdue since {since} IST" in queue
    page = text_of(await client.get(f"/admin/incidents/{incident['id']}"))
    assert f"Overdue since {since} IST" in page
