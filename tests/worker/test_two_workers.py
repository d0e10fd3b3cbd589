"""Two `tidings worker` processes on one outbox share the work; nobody is sent anything
twice."""

from __future__ import annotations

import signal
from collections import Counter

from tests.support import factories
from tests.support.polling import eventually
from tests.support.workers import accepted, start_worker

RECIPIENTS = 600


async def test_two_worker_processes_send_each_reader_the_update_exactly_once(
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
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    # Small claims, so that both workers are still claiming when the rows are published.
    workers = [start_worker(database_url, smtp.port, log, WORKER_CONCURRENCY="2") for log in logs]
    try:
        update = await factories.publish(
            client, keys["comms_lead"], incident["id"], "Failing over."
        )
        assert await accepted(smtp, RECIPIENTS), [log.read_text() for log in logs]

        async def all_recorded() -> bool:
            report = await client.get(
                f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"]
            )
            return report.json()["counts"]["sent"] == RECIPIENTS

        assert await eventually(all_recorded, 30)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(timeout=15) for worker in workers]
    assert codes == [0, 0], [log.read_text() for log in logs]

    received = Counter(m["To"] for m in smtp.messages)
    assert set(received) == set(addresses)
    assert [address for address, count in received.items() if count > 1] == []
