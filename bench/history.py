"""History: what a long history costs the static copy and the API while statuses change.

Run with `.venv/bin/python -m bench.history`. For each history length (BENCH_HISTORY_SIZES,
default 2000,20000 past incidents: the same 60 in the last 90 days, the rest over ten years,
built with set-based inserts by `bench.read_path`), on SQLite and, when
TIDINGS_BENCH_POSTGRES_URL names a scratch database (its tables are dropped), on PostgreSQL:

- `tidings export` of the whole copy: wall time and peak resident memory;
- one `tidings serve` process keeping that copy (TIDINGS_STATIC_DIR): for a publish and for a
  component status flip, the time until the copy's index.html shows it, and how many files
  of the copy the change wrote (new, rewritten or removed, gzip copies counted);
- the API a responder reads while a component's status changes every second: latency of
  `GET /api/v1/incidents?open=true`, `GET /api/v1/components` and `GET /api/v2/summary.json`,
  first from a process keeping no copy (the control: what the machine gives today), then
  from the process keeping the copy;
- the same, with the copy kept by `tidings copy` in a process of its own while
  `tidings serve --no-copy` answers: how soon the copy shows a change, and the API's latency.

Targets: export of 20,000 under 60 s; the copy fresh within 1 s; fewer than 50 files per
change; API p99 under 100 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from app.db.migrate import upgrade
from bench.freshness import _reset_postgres
from bench.read_path import _populate
from bench.servers import free_port, wait_up

PY = sys.executable
SIZES = [int(n) for n in os.environ.get("BENCH_HISTORY_SIZES", "2000,20000").split(",")]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
EXPORT_TIMEOUT = float(os.environ.get("BENCH_EXPORT_TIMEOUT", "600"))
FLIP_SECONDS = float(os.environ.get("BENCH_FLIP_SECONDS", "20"))
WAIT = float(os.environ.get("BENCH_COPY_WAIT", "300"))  # the longest a copy is waited for
CONTROL = {".tidings-copy", ".tidings-copy-version"}


def _files(folder: Path) -> dict[str, int]:
    """Every file of the copy and its modification time (ns)."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() and path.name not in CONTROL and not path.name.endswith(".tmp"):
            found[str(path.relative_to(folder))] = path.stat().st_mtime_ns
    return found


def _written(before: dict[str, int], after: dict[str, int]) -> int:
    changed = sum(1 for name, at in after.items() if before.get(name) != at)
    return changed + len(before.keys() - after.keys())


def _stamp(folder: Path) -> str:
    try:
        return (folder / ".tidings-copy-version").read_text()
    except OSError:
        return ""


def _settled(folder: Path, stamp_before: str, started: float) -> float:
    """Wait until the copy's stamp moved past `stamp_before` (the copy is whole at the new
    state) and nothing more is written; the seconds from `started` to the stamp's move."""
    deadline = time.monotonic() + WAIT
    while _stamp(folder) == stamp_before and time.monotonic() < deadline:
        time.sleep(0.01)
    whole = time.monotonic() - started
    quiet_since, last = time.monotonic(), _files(folder)
    while time.monotonic() - quiet_since < 1.0 and time.monotonic() < deadline:
        time.sleep(0.1)
        now = _files(folder)
        if now != last:
            quiet_since, last = time.monotonic(), now
    return whole


def _seen(folder: Path, check, started: float) -> float:  # type: ignore[no-untyped-def]
    while time.monotonic() - started < WAIT:
        try:
            if check((folder / "index.html").read_bytes()):
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.005)
    return float("inf")


def export(env: dict[str, str], folder: Path) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak MB) of `tidings export`; inf seconds past
    BENCH_EXPORT_TIMEOUT. The CPU time says what the export costs when neighbours share the
    cores and stretch the wall time."""
    started = time.monotonic()
    process = subprocess.Popen(
        [PY, "-m", "app.cli", "export", str(folder)], env=env, stdout=subprocess.DEVNULL
    )
    killer = threading.Timer(EXPORT_TIMEOUT, process.kill)
    killer.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    cpu = usage.ru_utime + usage.ru_stime
    return (seconds if process.returncode == 0 else float("inf")), cpu, usage.ru_maxrss / 1024


def changes(base: str, key: str, folder: Path, component: str) -> dict[str, list[float]]:
    """For a publish and a status flip: seconds until index.html shows it (`_s`), seconds
    until the whole copy is at the new state (`_whole`), files written (`_files`)."""
    auth = {"Authorization": f"Bearer {key}"}
    figures: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, headers=auth, timeout=60) as client:
        for n in range(ROUNDS):
            title = f"History bench round {n} {time.time():.0f}"
            # Opening an incident changes nothing public: the copy stays at rest.
            incident = client.post("/api/v1/incidents", json={"title": title}).json()

            def publish(incident_id: str = incident["id"]) -> None:
                client.post(
                    f"/api/v1/incidents/{incident_id}/updates",
                    json={"status": "investigating", "body": "Looking.", "publish": True},
                ).raise_for_status()

            def flip(status: str = "degraded_performance" if n % 2 == 0 else "operational") -> None:
                client.patch(
                    f"/api/v1/components/{component}", json={"status": status}
                ).raise_for_status()

            front = (folder / "index.html").read_bytes()
            for name, change, shown in (
                ("publish", publish, lambda b, t=title.encode(): t in b),
                ("flip", flip, None),
            ):
                before, stamp = _files(folder), _stamp(folder)
                front = (folder / "index.html").read_bytes()
                started = time.monotonic()
                change()
                check = shown or (lambda b, front=front: b != front)
                figures.setdefault(f"{name}_s", []).append(_seen(folder, check, started))
                figures.setdefault(f"{name}_whole", []).append(_settled(folder, stamp, started))
                figures.setdefault(f"{name}_files", []).append(_written(before, _files(folder)))
    return figures


def api_latency(base: str, key: str, component: str) -> dict[str, list[float]]:
    """Latency (ms) of a responder's reads while `component` flips every second."""
    stop = threading.Event()

    def flip() -> None:
        with httpx.Client(base_url=base, headers=auth, timeout=60) as flipper:
            n = 0
            while not stop.wait(1.0):
                status = "major_outage" if n % 2 == 0 else "operational"
                flipper.patch(f"/api/v1/components/{component}", json={"status": status})
                n += 1

    auth = {"Authorization": f"Bearer {key}"}
    reads = ("/api/v1/incidents?open=true", "/api/v1/components", "/api/v2/summary.json")
    times: dict[str, list[float]] = {path: [] for path in reads}
    flipper = threading.Thread(target=flip)
    flipper.start()
    try:
        with httpx.Client(base_url=base, headers=auth, timeout=60) as client:
            ends = time.monotonic() + FLIP_SECONDS
            while time.monotonic() < ends:
                for path in reads:
                    started = time.perf_counter()
                    client.get(path).raise_for_status()
                    times[path].append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)
    finally:
        stop.set()
        flipper.join()
    return times


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 2 else max(values)


def run_one(size: int, work: Path, pg: str | None) -> None:
    if pg:
        _reset_postgres(pg)
    url = pg or f"sqlite+aiosqlite:///{work / f'history-{size}.db'}"
    backend = "PostgreSQL" if pg else "SQLite"
    upgrade(url)
    asyncio.run(_populate(url, size))
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_RUN_WORKER": "0"}
    key = (
        subprocess.run(
            [PY, "-m", "app.cli", "create-api-key", "--role", "admin"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    folder = work / f"copy-{size}"
    seconds, cpu, peak = export(env, folder)
    print(
        f"{backend}, {size} incidents: export {seconds:.1f} s ({cpu:.1f} s of CPU), "
        f"peak {peak:.0f} MB; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    finished = seconds != float("inf")
    if not finished:
        print(
            "  export did not finish: no change is timed; the API is measured while the "
            "serving process writes its first copy",
            flush=True,
        )
    with serving(env) as base:  # the control: no copy kept
        latency(base, key, "no copy kept")
    with serving({**env, "TIDINGS_STATIC_DIR": str(folder)}) as base:
        measure_copy(base, key, folder, finished, "the copy kept in the serving process")
    copy_env = {**env, "TIDINGS_STATIC_DIR": str(folder)}
    with copying(copy_env, folder), serving(copy_env, "--no-copy") as base:
        measure_copy(base, key, folder, finished, "the copy kept by `tidings copy` beside it")
    # The control again: the changes timed above left more open incidents to read, so each
    # phase is compared with a control over the same data.
    with serving(env) as base:
        latency(base, key, "no copy kept, after the changes")


@contextlib.contextmanager
def copying(env: dict[str, str], folder: Path) -> Iterator[None]:
    """`tidings copy` keeping the folder in a process of its own, once its first turn (a
    check, or a write if the copy fell behind) is over, so the measures start at rest."""
    keeper = subprocess.Popen(
        [PY, "-m", "app.cli", "copy"], env=env, stderr=subprocess.PIPE, text=True
    )
    assert keeper.stderr is not None
    for line in keeper.stderr:  # said once its lifespan runs, and the copy with it
        if "keeping" in line:
            break
    threading.Thread(target=keeper.stderr.read, daemon=True).start()  # never fills the pipe
    quiet_since, last = time.monotonic(), _files(folder)
    while time.monotonic() - quiet_since < 2.0:
        time.sleep(0.1)
        if (now := _files(folder)) != last:
            quiet_since, last = time.monotonic(), now
    try:
        yield
    finally:
        keeper.terminate()
        keeper.wait(timeout=60)


@contextlib.contextmanager
def serving(env: dict[str, str], *flags: str) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [PY, "-m", "app.cli", "serve", "--port", str(port), "--no-worker", *flags],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(f"{base}/livez")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=60)


def _first_component(base: str, key: str) -> str:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
        return str(client.get("/api/v1/components").json()[0]["id"])


def latency(base: str, key: str, label: str) -> None:
    print(
        f"  API while a status changes every second, {label} (load average "
        f"{os.getloadavg()[0]:.1f}):",
        flush=True,
    )
    for path, values in api_latency(base, key, _first_component(base, key)).items():
        print(
            f"    {path:<28} p50 {statistics.median(values):7.1f} ms  p99 "
            f"{p99(values):7.1f} ms  ({len(values)} requests)",
            flush=True,
        )


def measure_copy(base: str, key: str, folder: Path, finished: bool, label: str) -> None:
    """A publish and a status flip timed into the copy, then the API while statuses flip."""
    print(f"  {label}:", flush=True)
    if finished:
        found = changes(base, key, folder, _first_component(base, key))
        for name in ("publish", "flip"):
            fresh, whole = found[f"{name}_s"], found[f"{name}_whole"]
            files = found[f"{name}_files"]
            print(
                f"  {name:<8} index.html shows it in median {statistics.median(fresh):.2f} s "
                f"(worst {max(fresh):.2f} s); whole copy at the new state in median "
                f"{statistics.median(whole):.2f} s (worst {max(whole):.2f} s); files written "
                f"median {statistics.median(files):.0f} (most {max(files):.0f})",
                flush=True,
            )
    latency(base, key, label)


def main() -> None:
    pg = os.environ.get("TIDINGS_BENCH_POSTGRES_URL")
    backends = [None] + ([pg] if pg else [])
    if os.environ.get("BENCH_POSTGRES_ONLY") and pg:
        backends = [pg]
    for size in SIZES:
        for backend in backends:
            work = Path(tempfile.mkdtemp(prefix="tidings-history-"))
            try:
                run_one(size, work, backend)
            finally:
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
