"""`tidings serve` delivers in-process by default: the worker runs in the app's lifespan."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.lib.clock import utcnow
from tests.support import factories
from tests.support.polling import eventually


@pytest.mark.settings(run_worker=True, worker_poll_seconds=0.05)
async def test_the_web_process_delivers_a_published_update_by_itself(client, keys, smtp):
    await factories.contact(client, keys["comms_lead"], "reader@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    assert await eventually(smtp.count), "the web process sent nothing"
    assert [m["Subject"] for m in smtp.to("reader@example.org")] == [
        "[Example] Investigating: Outage"
    ]


@pytest.mark.settings(run_worker=True, worker_poll_seconds=0.05)
async def test_the_web_process_publishes_approved_maintenance_words_at_the_start(
    client, keys, clock
):
    start = utcnow() + timedelta(minutes=5)
    plan = await client.post(
        "/api/v1/maintenance-plans",
        json={
            "title": "Cache flush",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=1)).isoformat(),
            "in_progress": "The cache flush has started.",
        },
        headers=keys["responder"],
    )
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]
    approved = await client.post(
        f"/api/v1/maintenance-plans/{plan_id}/words/in_progress/approve",
        headers=keys["comms_lead"],
    )
    assert approved.status_code == 200, approved.text
    clock.advance(minutes=6)

    async def published() -> bool:
        read = await client.get(f"/api/v1/maintenance-plans/{plan_id}", headers=keys["responder"])
        return read.json()["status"] == "in_progress"

    assert await eventually(published), "the worker did not publish the words at the start"
    assert "The cache flush has started." in (await client.get(f"/incidents/{plan_id}")).text
