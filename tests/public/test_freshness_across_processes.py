"""A change committed by one process is served by another web process at once: within
0.5 s on SQLite (a 0.2 s version poll) and 0.2 s on PostgreSQL (LISTEN/NOTIFY)."""

from __future__ import annotations

import time

import httpx

from tests.support import factories
from tests.support.polling import eventually


def _limit(settings) -> float:  # type: ignore[no-untyped-def]
    return 0.2 if settings.database_url.startswith("postgresql") else 0.5


async def test_a_publish_in_one_process_is_served_by_another_within_the_target(
    client, keys, app_process, settings
):
    api = await factories.component(client, keys["admin"], "API")
    async with httpx.AsyncClient(base_url=app_process) as other:
        assert (await other.get("/")).status_code == 200  # its snapshot is loaded and cached
        delays = []
        for n in range(6):
            incident = await factories.incident(
                client,
                keys["responder"],
                f"Outage number {n}",
                components=[{"id": api["id"], "status": "major_outage"}],
            )
            await client.get("/")  # both processes have rendered the page before the publish
            await other.get("/")
            await factories.publish(client, keys["comms_lead"], incident["id"], "Down.")
            started = time.monotonic()  # committed: the answer comes after the commit
            shows = await eventually(
                lambda n=n: _shows(other, f"Outage number {n}"), seconds=5, interval=0.01
            )
            delays.append(time.monotonic() - started)
            assert shows, "the other process never showed the publish"
    # The first round also compiles the incident templates in the other process (once per
    # process start); the target is for a process already serving. The median, because the
    # machine running the tests may be busy with other work now and then.
    steady = sorted(delays[1:])
    median = steady[len(steady) // 2]
    assert median < _limit(settings), f"seen after {[round(d, 3) for d in delays]} s"
    assert steady[-1] < 1.0, f"seen after {[round(d, 3) for d in delays]} s"


async def _shows(other: httpx.AsyncClient, text: str) -> bool:
    return text in (await other.get("/")).text


async def test_a_customer_created_a_moment_ago_has_a_page_in_another_process(
    client, keys, app_process
):
    async with httpx.AsyncClient(base_url=app_process) as other:
        assert (await other.get("/")).status_code == 200
        api = await factories.component(client, keys["admin"], "API")
        customer = await factories.customer(client, keys["admin"], "Initech", [api["id"]])
        path = "/" + customer["page_url"].split("/", 3)[3]
        response = await other.get(path)
        assert response.status_code == 200
        assert "Initech" in response.text
        assert (await other.get("/c/no-such-token/")).status_code == 404
