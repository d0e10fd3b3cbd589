"""Read-path benchmark: cached page serving, and render cost against history length.

Run with `make bench` (or `.venv/bin/python -m bench.read_path`). It builds SQLite databases
with 1,000 and 50,000 past incidents (the same 60 in the last 90 days, the
rest over ten years), then measures, in-process through
the ASGI app:
- requests per second for a cached public page, customer page and summary.json;
- the time to re-render the front page after a change (cache miss), which must not grow
  with the length of the history;
- the resident memory of the process afterwards.
Figures go to stdout; docs/benchmarks.md records them.
"""

from __future__ import annotations

import asyncio
import logging
import random
import resource
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy import insert

from app.asgi import create_app
from app.components.models import Component, ComponentGroup
from app.customers.models import Customer, customer_components
from app.db.migrate import upgrade
from app.db.session import make_engine
from app.incidents.models import Incident, IncidentComponent, Update
from app.lib.clock import utcnow
from app.lib.ids import new_id
from app.settings import Settings

COMPONENTS = 30
CUSTOMERS = 200
RECENT = 60


async def _populate(url: str, incidents: int) -> str:
    rng = random.Random(7)
    engine = make_engine(url)
    now = utcnow()
    async with engine.begin() as conn:
        groups = [
            {
                "id": new_id(),
                "name": f"Group {g}",
                "position": g,
                "created_at": now,
                "updated_at": now,
            }
            for g in range(5)
        ]
        await conn.execute(insert(ComponentGroup), groups)
        components = [
            {
                "id": new_id(),
                "name": f"Component {i}",
                "position": i,
                "group_id": groups[i % 5]["id"],
                "status": "operational",
                "showcase": True,
                "only_show_if_degraded": False,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(COMPONENTS)
        ]
        await conn.execute(insert(Component), components)
        customers = [
            {
                "id": new_id(),
                "name": f"Customer {i}",
                "token": f"token-{i:04d}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(CUSTOMERS)
        ]
        await conn.execute(insert(Customer), customers)
        await conn.execute(
            insert(customer_components),
            [
                {"customer_id": c["id"], "component_id": comp["id"]}
                for c in customers
                for comp in rng.sample(components, 5)
            ],
        )
        rows, links, updates = [], [], []
        for n in range(incidents):
            # The same recent activity in every run (60 incidents in the last 90 days); only
            # the length of the older history changes.
            if n < RECENT:
                start = now - timedelta(minutes=rng.randint(60, 89 * 24 * 60))
            else:
                start = now - timedelta(minutes=rng.randint(91 * 24 * 60, 10 * 365 * 24 * 60))
            end = start + timedelta(minutes=rng.randint(5, 240))
            incident_id = new_id()
            rows.append(
                {
                    "id": incident_id,
                    "kind": "incident",
                    "title": f"Incident {n}",
                    "status": "resolved",
                    "impact": "minor",
                    "visibility": "public" if n % 3 else "customers",
                    "started_at": start,
                    "resolved_at": end,
                    "created_by": "bench",
                    "created_at": start,
                    "updated_at": end,
                }
            )
            links.append(
                {
                    "incident_id": incident_id,
                    "component_id": rng.choice(components)["id"],
                    "status": "partial_outage",
                }
            )
            for k, status in enumerate(("investigating", "resolved")):
                at = start + (end - start) * k
                updates.append(
                    {
                        "id": new_id(),
                        "incident_id": incident_id,
                        "status": status,
                        "body": "We are on it. " * 10,
                        "author": "bench",
                        "state": "published",
                        "published_at": at,
                        "created_at": at,
                        "updated_at": at,
                        "deliver_notifications": True,
                    }
                )
        for chunk in range(0, len(rows), 2000):
            await conn.execute(insert(Incident), rows[chunk : chunk + 2000])
            await conn.execute(insert(IncidentComponent), links[chunk : chunk + 2000])
        for chunk in range(0, len(updates), 2000):
            await conn.execute(insert(Update), updates[chunk : chunk + 2000])
    await engine.dispose()
    return customers[0]["token"]


async def _rate(client: AsyncTestClient, path: str, n: int = 2000) -> float:
    start = time.perf_counter()
    for _ in range(n):
        response = await client.get(path)
        assert response.status_code == 200, path
    return n / (time.perf_counter() - start)


async def _miss_ms(client: AsyncTestClient, path: str, app, n: int = 15) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        app.state.page_cache.invalidate()
        start = time.perf_counter()
        assert (await client.get(path)).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def run_one(incidents: int, folder: Path) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{folder / f'bench-{incidents}.db'}"
    await asyncio.to_thread(upgrade, url)
    token = await _populate(url, incidents)
    app = create_app(Settings(database_url=url, run_worker=False))
    async with AsyncTestClient(app=app) as client:
        return {
            "miss_index_ms": await _miss_ms(client, "/", app),
            "miss_customer_ms": await _miss_ms(client, f"/c/{token}/", app),
            "miss_summary_ms": await _miss_ms(client, "/api/v2/summary.json", app),
            "hit_index_rps": await _rate(client, "/"),
            "hit_customer_rps": await _rate(client, f"/c/{token}/"),
            "hit_summary_rps": await _rate(client, "/api/v2/summary.json"),
        }


async def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        for incidents in (1_000, 50_000):
            figures = await run_one(incidents, Path(folder))
            print(
                f"history of {incidents:>6} incidents, {COMPONENTS} components, "
                f"{CUSTOMERS} customers:"
            )
            for name, value in figures.items():
                print(f"  {name:<18} {value:10.1f}")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the benchmark process: {rss_mb:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
