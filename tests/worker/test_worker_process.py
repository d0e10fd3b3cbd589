"""A `tidings worker` process killed with SIGKILL in the middle of a fan-out loses nothing."""

from __future__ import annotations

import signal
from collections import Counter

from app.delivery.jobs import UNRECORDED_PER_LANE
from tests.support import factories
from tests.support.polling import eventually
from tests.support.workers import accepted, start_worker

RECIPIENTS = 2000
CONCURRENCY = 4
# At most this many messages are sent and not yet recorded: all a kill can repeat.
WINDOW = CONCURRENCY * UNRECORDED_PER_LANE
# A short lease, so the rows the killed worker held come due again quickly.
ENV = {"WORKER_CONCURRENCY": str(CONCURRENCY), "WORKER_LEASE_SECONDS": "1"}


async def test_a_worker_killed_mid_fanout_is_restarted_and_everyone_gets_the_update(
    client, keys, smtp, database_url, tmp_path
):
    addresses = [f"reader{n}@example.org" for n in range(RECIPIENTS)]
    imported = await client.post(
        "/api/v1/subscribers/import",
        content="\n".join(addresses).encode(),
        headers={**keys["comms_lead"], "Content-Type": "text/csv"},
    )
    assert imported.json()["created"] == RECIPIENTS
    incident = await factories.incident(client, keys["responder"], "Database failover")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Failing over.")

    log = tmp_path / "worker.log"
    first = start_worker(database_url, smtp.port, log, **ENV)
    try:
        assert await accepted(smtp, RECIPIENTS // 4), log.read_text()
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    sent_before_kill = smtp.count()
    assert sent_before_kill < RECIPIENTS, "the worker finished before it could be killed"

    second = start_worker(database_url, smtp.port, log, **ENV)
    try:
        assert await accepted(smtp, RECIPIENTS), log.read_text()
        report = {}

        async def all_recorded() -> bool:
            nonlocal report
            report = (
                await client.get(
                    f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"]
                )
            ).json()
            return report["counts"]["sent"] == RECIPIENTS

        await eventually(all_recorded, 30)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0, log.read_text()

    received = Counter(m["To"] for m in smtp.messages)
    assert set(received) == set(addresses)
    repeats = sum(received.values()) - RECIPIENTS
    assert repeats <= WINDOW, (repeats, sent_before_kill)
    assert report["counts"]["sent"] == RECIPIENTS
    # A repeat is recognisable: it carries the same Message-ID as the first copy.
    for address, count in received.items():
        if count > 1:
            ids = {m["Message-ID"] for m in smtp.to(address)}
            assert len(ids) == 1
