"""One bad receiver costs one lane for at most the deadline: the others go out promptly.

Real peers on loopback: an SMTP server, and receivers that trickle one byte every two
seconds, hang, or answer 500 with a 200 MB body.
"""

from __future__ import annotations

import asyncio
import resource
import time
from dataclasses import replace

import pytest

from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.delivery import FAST

DEADLINE = 6.0
READERS = 20


@pytest.fixture
def settings(base_settings, smtp):
    return replace(
        base_settings,
        smtp_port=smtp.port,
        webhook_allow_private=True,
        worker_concurrency=4,
        worker_poll_seconds=0.05,
    )


async def _subscribe(client, keys, bad_receivers) -> None:
    for receiver in bad_receivers.values():
        await factories._post(
            client,
            "/api/v1/subscribers",
            keys["comms_lead"],
            {"kind": "webhook", "url": receiver.url},
        )
    csv = "\n".join(f"reader{n}@example.org" for n in range(READERS))
    imported = await client.post(
        "/api/v1/subscribers/import",
        content=csv.encode(),
        headers={**keys["comms_lead"], "Content-Type": "text/csv"},
    )
    assert imported.json()["created"] == READERS


async def _eventually(condition, seconds: float) -> float | None:
    """Seconds until `condition()` held, or None if it did not within `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        await asyncio.sleep(0.02)
    return None


async def test_three_bad_receivers_hold_three_lanes_while_every_email_goes_out(
    client, keys, smtp, bad_receivers, settings, sessionmaker
):
    await _subscribe(client, keys, bad_receivers)
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST, deadline=DEADLINE)
    stop = asyncio.Event()
    serving = asyncio.create_task(worker.serve(stop))
    try:
        # The three bad receivers take three of the four lanes at once (they are first in
        # the outbox); the fourth lane sends all twenty emails meanwhile.
        took = await _eventually(lambda: smtp.count() >= READERS, DEADLINE - 1)
        assert took is not None, f"only {smtp.count()} of {READERS} emails before the deadline"
        assert all(r.requests >= 1 for r in bad_receivers.values())
    finally:
        stop.set()
        await serving
        await worker.close()
    report = (
        await client.get(f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"])
    ).json()
    assert "counts" in report, report
    assert report["counts"]["sent"] == READERS
    counts = report["counts"]
    assert counts["pending"] + counts["retrying"] + counts["failed"] == 3, counts


async def test_a_500_with_a_huge_body_is_read_only_up_to_a_small_cap(
    client, keys, bad_receivers, settings, sessionmaker
):
    huge = bad_receivers["huge"]
    subscriber = await factories._post(
        client, "/api/v1/subscribers", keys["comms_lead"], {"kind": "webhook", "url": huge.url}
    )
    incident = await factories.incident(client, keys["responder"], "Outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST, deadline=DEADLINE)
    try:
        assert await worker.deliver_due() == 1
    finally:
        await worker.close()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert huge.requests == 1
    assert grown < 30 * 1024, f"peak memory grew by {grown // 1024} MB for a 200 MB answer"
    history = (
        await client.get(
            f"/api/v1/subscribers/{subscriber['id']}/deliveries", headers=keys["comms_lead"]
        )
    ).json()
    assert history[0]["state"] == "retrying"
    assert history[0]["last_error"].startswith("HTTP 500: xxxx")
    assert len(history[0]["last_error"]) < 300


async def test_a_receiver_that_trickles_is_cut_off_at_the_deadline(
    client, keys, bad_receivers, settings, sessionmaker
):
    await factories._post(
        client,
        "/api/v1/subscribers",
        keys["comms_lead"],
        {"kind": "webhook", "url": bad_receivers["trickle"].url},
    )
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST, deadline=2.0)
    started = time.monotonic()
    try:
        assert await worker.deliver_due() == 1
    finally:
        await worker.close()
    # A byte every two seconds never trips a per-read timeout; the whole-exchange one does.
    # (The receiver trickles for ever: any bound shows the cut; this one leaves a busy
    # machine room.)
    assert time.monotonic() - started < 15
    report = (
        await client.get(f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"])
    ).json()
    assert report["counts"]["retrying"] == 1
