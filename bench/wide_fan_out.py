"""One update to 100,000 email subscribers: `python -m bench.wide_fan_out`.

On PostgreSQL (TIDINGS_BENCH_POSTGRES_URL, a scratch database whose tables are dropped), the
update is approved for 100,000 confirmed email subscribers and two `tidings worker`
processes send it into an SMTP server (`bench.sinks`) that takes 20 ms per message. Targets:
the last message in under 120 s (from the approval, the fan-out included), each worker's
peak memory (VmHWM) under 300 MB, no recipient receiving it twice.

The connections are sized for the server (docs/operations.md, "Sizing for a mail
provider"): 20 ms per message is at most 50 messages a second per connection, so 100,000 in
120 s (834 a second) needs at least 17 connections busy all the time; each worker opens 16
(`--connections`), 32 in all, with 24 lanes each (`--lanes`). Before the workers, a bare
aiosmtplib loop over as many connections into the same server (`--bare`, 20,000 messages)
measures what the server itself takes on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from app.db.session import make_engine, make_sessionmaker
from bench.sending import (
    Sink,
    _all_recorded,
    _approve,
    _bare_smtp,
    _cpu_seconds,
    _draft,
    _peak_rss_mb,
    _ready,
    _reset,
    _sample,
    _seed,
    _sent,
    _settings,
    _steady_rate,
    _worker_process,
)

WORKERS = 2


async def _wait(sink: Sink, count: int, stall: float = 60.0) -> None:
    """Until the sink has `count` messages; reading its log once a second (the log grows to
    megabytes, and reading it costs the machine the workers share)."""
    seen, deadline = sink.count(), time.monotonic() + stall
    while (now := sink.count()) < count:
        if now != seen:
            seen, deadline = now, time.monotonic() + stall
        elif time.monotonic() > deadline:
            raise RuntimeError(f"the sink stalled at {now} of {count}")
        await asyncio.sleep(1.0)


async def bench(
    folder: Path,
    url: str,
    count: int,
    delay: float,
    connections: int,
    lanes: int,
    bare: int,
    server: str,
) -> None:
    await _reset(url)
    sink = Sink(server, folder, delay=delay)
    settings = _settings(
        url, smtp_port=sink.port, smtp_connections=connections, worker_concurrency=lanes
    )
    seeding = time.monotonic()
    incident_id = await _seed(url, settings, emails=count)
    print(f"  {count:,} subscribers written in {time.monotonic() - seeding:.0f} s")
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    procs: list[subprocess.Popen[bytes]] = []
    ceiling = 0.0
    try:
        update_id = await _draft(sessionmaker, incident_id, "We are failing over the database.")
        procs = [_worker_process(settings, folder / f"wide-{n}.log") for n in range(WORKERS)]
        await _ready(sessionmaker, url, WORKERS)
        load = os.getloadavg()[0]
        started = await _approve(sessionmaker, update_id)
        await _wait(sink, count)
        await _all_recorded(sessionmaker, update_id, count)
        finished = time.time()
        await asyncio.sleep(1.0)  # a repeat would arrive now
        arrivals = sink.arrivals()
        sent = await _sent(sessionmaker, update_id)
        peaks = [_peak_rss_mb(proc.pid) for proc in procs]
        cpu = [_cpu_seconds(proc.pid) for proc in procs]
        if bare:
            # What the server takes over as many connections as the workers opened together.
            for proc in procs:
                proc.terminate()
            message = await _sample(sessionmaker, settings)
            before = sink.count()
            await _bare_smtp(sink.port, message, bare, connections * WORKERS)
            ceiling = _steady_rate(sink.arrivals()[before:])
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()
        await engine.dispose()
        sink.stop()
    received = Counter(who for _, who in arrivals)
    last = max(at for at, _ in arrivals)
    first = min(at for at, _ in arrivals)
    print(
        f"{count:,} emails, {WORKERS} worker processes x {connections} SMTP connections "
        f"({lanes} lanes), PostgreSQL, {delay * 1000:.0f} ms sink ({server}): "
        f"approval -> last arrival {last - started:.1f} s (target < 120 s); "
        f"first -> last {last - first:.1f} s, {_steady_rate(arrivals):,.0f} emails/s; "
        f"all recorded after {finished - started:.1f} s"
    )
    print(
        f"  peak memory per worker (VmHWM): {', '.join(f'{p:,.0f}' for p in peaks)} MB "
        f"(target < 300 MB); CPU per worker: {', '.join(f'{c:.1f}' for c in cpu)} s "
        f"({sum(cpu) / count * 1000:.2f} ms per email)"
    )
    print(
        f"  repeats: {sum(received.values()) - len(received)} (target 0); distinct recipients "
        f"{len(received):,}; recorded sent {sent:,} of {count:,}; load average {load:.1f} "
        f"at the approval, {os.getloadavg()[0]:.1f} at the end"
    )
    if bare:
        print(
            f"  the server's ceiling, after the workers stopped: a bare aiosmtplib loop over "
            f"{connections * WORKERS} connections, {bare:,} emails: {ceiling:,.0f} emails/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emails", type=int, default=100_000)
    parser.add_argument("--delay", type=float, default=0.02, help="the sink's, per message")
    parser.add_argument("--connections", type=int, default=16, help="SMTP, per worker")
    parser.add_argument("--lanes", type=int, default=24, help="per worker")
    parser.add_argument(
        "--sink", default="smtp-lean", choices=["smtp-lean", "smtp"], help="the SMTP server"
    )
    parser.add_argument("--bare", type=int, default=20_000, help="emails of the bare loop")
    args = parser.parse_args()
    postgres = os.environ.get("TIDINGS_BENCH_POSTGRES_URL")
    if not postgres:
        raise SystemExit("set TIDINGS_BENCH_POSTGRES_URL to a scratch PostgreSQL database")
    with tempfile.TemporaryDirectory() as name:
        asyncio.run(
            bench(
                Path(name),
                postgres,
                args.emails,
                args.delay,
                args.connections,
                args.lanes,
                args.bare,
                args.sink,
            )
        )


if __name__ == "__main__":
    main()
