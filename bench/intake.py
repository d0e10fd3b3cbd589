"""How fast alert intake answers: 200 sequential posts on SQLite, p50 and p95.

    .venv/bin/python -m bench.intake

Runs the real app in process (no network) on a fresh SQLite file built by the migrations,
with a real API key. Half the posts open new triage incidents, half repeat one dedup key.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from litestar.testing import AsyncTestClient

from app.accounts.models import Role
from app.accounts.service import create_api_key
from app.asgi import create_app
from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker
from app.settings import Settings

POSTS = 200


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def _run(url: str) -> dict[str, list[float]]:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        _key, raw = await create_api_key(session, name="bench", role=Role.RESPONDER)
        await session.commit()
    await engine.dispose()
    settings = Settings(database_url=url, secret_key="bench-secret-key-0123456789")
    headers = {"Authorization": f"Bearer {raw}"}
    timings: dict[str, list[float]] = {"new alert": [], "repeat": []}
    async with AsyncTestClient(app=create_app(settings)) as client:
        for n in range(POSTS):
            kind = "new alert" if n % 2 == 0 else "repeat"
            body = {
                "source": "bench",
                "dedup_key": f"key-{n}" if kind == "new alert" else "storm",
                "title": "Error rate above 5%",
                "severity": "critical",
            }
            started = time.perf_counter()
            response = await client.post("/api/v1/intake/generic", json=body, headers=headers)
            timings[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 201), response.text
    return timings


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        timings = asyncio.run(_run(url))
    everything = timings["new alert"] + timings["repeat"]
    print(f"{POSTS} sequential intake posts on SQLite (ms):")
    for name, values in [*timings.items(), ("all", everything)]:
        print(
            f"  {name:<10} p50 {statistics.median(values):6.1f}   "
            f"p95 {_percentile(values, 95):6.1f}   max {max(values):6.1f}"
        )


if __name__ == "__main__":
    main()
