"""`tidings serve` delivers in-process by default: the worker runs in the app's lifespan."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests import factories
from tests.peers import smtp_fixture  # noqa: F401


@pytest.fixture
def settings(base_settings, smtp):
    return replace(base_settings, smtp_port=smtp.port, run_worker=True, worker_poll_seconds=0.05)


async def test_the_web_process_delivers_a_published_update_by_itself(client, keys, smtp):
    await factories._post(
        client,
        "/api/v1/subscribers",
        keys["comms_lead"],
        {"kind": "email", "address": "reader@example.org"},
    )
    incident = await factories.incident(client, keys["responder"], "Outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    for _ in range(100):
        if smtp.count():
            break
        await asyncio.sleep(0.05)
    assert [m["Subject"] for m in smtp.to("reader@example.org")] == [
        "[Example] Investigating: Outage"
    ]
