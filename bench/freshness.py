"""Freshness: how soon a publish is served by another web process and by the static copy.

Run with `make bench` (or `.venv/bin/python -m bench.freshness`). Two `tidings serve`
processes share one database (SQLite, or PostgreSQL when TIDINGS_BENCH_POSTGRES_URL names a
scratch database: its tables are dropped); the first also keeps a static copy
(TIDINGS_STATIC_DIR). An update is published through the first process's API, and the
second process's `/` and the copy's index.html are polled every 5 ms until they show it.
Targets: another process within 0.5 s (SQLite) / 0.2 s (PostgreSQL); the copy within 1 s.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.servers import free_port, wait_up

PY = sys.executable
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))


def _call(method: str, url: str, key: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _reset_postgres(url: str) -> None:
    import asyncio

    from sqlalchemy import text

    from app.db.session import make_engine

    async def reset() -> None:
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tidings-fresh-"))
    try:
        measure(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(work: Path) -> None:
    pg = os.environ.get("TIDINGS_BENCH_POSTGRES_URL")
    if pg:
        _reset_postgres(pg)
    url = pg or f"sqlite+aiosqlite:///{work / 'fresh.db'}"
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_RUN_WORKER": "0"}
    subprocess.run([PY, "-m", "app.cli", "migrate"], env=env, check=True, capture_output=True)
    out = subprocess.run(
        [PY, "-m", "app.cli", "create-api-key", "--role", "admin"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    key = out.strip().splitlines()[-1]
    copy = work / "copy"
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [PY, "-m", "app.cli", "serve", "--port", str(port), "--no-worker"],
            env={**env, **({"TIDINGS_STATIC_DIR": str(copy)} if n == 0 else {})},
            stderr=subprocess.DEVNULL,
        )
        for n, port in enumerate(ports)
    ]
    first, second = (f"http://127.0.0.1:{port}" for port in ports)
    try:
        for base in (first, second):
            wait_up(f"{base}/livez")
        other: list[float] = []
        static: list[float] = []
        for n in range(ROUNDS + 1):
            title = f"Freshness round {n}"
            incident = _call("POST", f"{first}/api/v1/incidents", key, {"title": title})
            for base in (first, second):
                urllib.request.urlopen(base + "/", timeout=10).read()
            time.sleep(0.3)  # let the copy settle, so each round starts from rest
            _call(
                "POST",
                f"{first}/api/v1/incidents/{incident['id']}/updates",
                key,
                {"status": "investigating", "body": "Looking.", "publish": True},
            )
            started = time.monotonic()

            def served(title: str = title) -> bool:
                with urllib.request.urlopen(second + "/", timeout=10) as response:
                    return title in response.read().decode()

            def copied(title: str = title) -> bool:
                try:
                    return title in (copy / "index.html").read_text()
                except OSError:
                    return False

            seen_other = seen_static = float("inf")
            while time.monotonic() - started < 5 and float("inf") in (seen_other, seen_static):
                if seen_other == float("inf") and served():
                    seen_other = time.monotonic() - started
                if seen_static == float("inf") and copied():
                    seen_static = time.monotonic() - started
                time.sleep(0.005)
            if n > 0:  # the first round warms both processes (template compilation)
                other.append(seen_other)
                static.append(seen_static)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    backend = "PostgreSQL" if pg else "SQLite"
    target = 0.2 if pg else 0.5

    def line(what: str, figures: list[float], limit: float) -> str:
        median, worst = statistics.median(figures), max(figures)
        verdict = "met" if median < limit else f"MISSED by {median - limit:.3f} s"
        return (
            f"{what:<40} median {median:.3f} s, worst {worst:.3f} s over {len(figures)}"
            f"   target {limit} s  {verdict}"
        )

    print(f"{backend}, two `tidings serve` processes, publish through the first")
    print(line("another web process serves it", other, target))
    print(line("the static copy's index.html shows it", static, 1.0))
    print(f"rounds: other {[round(x, 3) for x in other]}")
    print(f"rounds: copy  {[round(x, 3) for x in static]}")


if __name__ == "__main__":
    main()
