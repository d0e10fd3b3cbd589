"""`tidings serve` delivers in-process by default: the worker runs in the app's lifespan."""

from __future__ import annotations

import pytest

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
