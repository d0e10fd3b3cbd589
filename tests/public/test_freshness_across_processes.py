"""A change committed by one process is served by another web process at once (a 0.2 s
version poll on SQLite, LISTEN/NOTIFY on PostgreSQL), not when its cache would expire. How
soon, against the targets of 0.5 s and 0.2 s, is measured by bench/freshness.py: a duration
depends on the machine's load, so the suite does not assert one."""

from __future__ import annotations

import httpx

from tests.support import factories
from tests.support.polling import eventually


async def test_a_publish_in_one_process_is_served_by_another_at_once(client, keys, app_process):
    api = await factories.component(client, keys["admin"], "API")
    async with httpx.AsyncClient(base_url=app_process) as other:
        assert (await other.get("/")).status_code == 200  # its snapshot is loaded and cached
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
            shows = await eventually(
                lambda n=n: _shows(other, f"Outage number {n}"), seconds=5, interval=0.01
            )
            assert shows, f"the other process never showed publish number {n}"


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
