"""Sending at the peer's speed: `python -m bench.sending [emails|approve|webhooks|scale ...]`.

Every figure is printed beside a reference measured in the same run, the ratio and the
target. The peers (`bench.sinks`) run in processes of their own.

- emails: N emails (3,000) from the outbox through the worker into aiosmtpd, against a
  bare aiosmtplib loop sending ready-made messages over as many connections into the
  same server (target: at least 0.8 of it).
- approve: approving a draft to the first email leaving, with the worker in the same
  process and in another one (target: under 0.5 s).
- webhooks: N webhooks (5,000) through the worker, against a bare httpx loop posting the
  same body to the same receiver (target: at least 0.8); a bare loop over aiohttp, the
  client the worker uses, is printed beside it.
- large (opt-in, minutes): 100,000 emails through one `tidings worker` process on SQLite,
  against the bare aiosmtplib loop, both timed from first to last arrival; the worker's
  peak memory (target: under 300 MB).
- scale: on PostgreSQL (TIDINGS_BENCH_POSTGRES_URL, a scratch database whose tables are
  dropped), N emails (3,000) through one `tidings worker` process, then through two, into
  an SMTP server that takes 20 ms per message (target: two at least 1.6 times one, and no
  message sent twice).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
import aiosmtplib
import httpx
from sqlalchemy import func, insert, select, text

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.comms.review.service import approve_draft, submit_draft
from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker
from app.delivery.channels.webhook import WebhookMessage
from app.delivery.jobs import DeliveryWorker
from app.delivery.messages import Batch
from app.delivery.models import Delivery, DeliveryState
from app.delivery.reuse import CommonParts
from app.delivery.smtp_wire import SmtpWire
from app.incidents.schemas import IncidentCreate, UpdateCreate
from app.incidents.service import open_incident, post_update
from app.lib.clock import utcnow
from app.lib.ids import new_id
from app.settings import Settings
from app.site.service import ensure_page_id
from app.subscribers.models import Subscriber
from app.worker import run as run_worker

AUTHOR = Actor(name="writer", role=Role.ADMIN, id="system:bench-writer")
REVIEWER = Actor(name="reviewer", role=Role.ADMIN, id="system:bench-reviewer")
SECRET = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
CONCURRENCY = 8
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sink:
    """A peer in its own process (`bench.sinks`); `arrivals()` reads what it received."""

    def __init__(self, kind: str, folder: Path, delay: float = 0.0) -> None:
        self.kind = kind
        self.port = _free_port()
        self.log = folder / f"{kind}-{self.port}.log"
        self.log.touch()
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "bench.sinks", kind),
                *("--port", str(self.port), "--delay", str(delay), "--log", str(self.log)),
            ],
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == b"ready"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def arrivals(self) -> list[tuple[float, str]]:
        lines = self.log.read_text().splitlines()
        return [(float(at), who) for at, _, who in (line.partition(" ") for line in lines)]

    def count(self) -> int:
        return self.log.read_text().count("\n")

    async def wait_for(self, count: int, stall: float = 30.0) -> None:
        seen, deadline = self.count(), time.monotonic() + stall
        while (now := self.count()) < count:
            if now != seen:
                seen, deadline = now, time.monotonic() + stall
            elif time.monotonic() > deadline:
                raise RuntimeError(f"the sink stalled at {now} of {count}")
            await asyncio.sleep(0.05)  # reading the log costs the sender's CPU

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def _settings(url: str, **overrides: object) -> Settings:
    base = dict(
        database_url=url,
        secret_key="bench-secret-key-0123456789",
        base_url="http://status.example.test",
        worker_concurrency=CONCURRENCY,
        webhook_allow_private=True,
        run_worker=False,
    )
    return Settings(**{**base, **overrides})  # type: ignore[arg-type]


async def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    await asyncio.to_thread(upgrade, url)


async def _seed(url: str, settings: Settings, *, emails: int = 0, hook: str = "") -> str:
    """Confirmed subscribers (emails, or webhooks to `hook`) and an open incident."""
    engine = make_engine(url)
    now = utcnow()
    async with make_sessionmaker(engine)() as session:
        await ensure_page_id(session, settings)
        kind = "webhook" if hook else "email"
        rows = [
            {
                "id": new_id(),
                "kind": kind,
                "address": None if hook else f"reader{n}@example.org",
                "url": hook or None,
                "secret": SECRET if hook else None,
                "all_components": True,
                "confirmed_at": now,
                "created_by": "bench",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(emails)
        ]
        for start in range(0, len(rows), 5_000):
            await session.execute(insert(Subscriber), rows[start : start + 5_000])
        incident = await open_incident(
            session, actor=AUTHOR, data=IncidentCreate(title="Database failover")
        )
        await session.commit()
        incident_id = incident.id
    await engine.dispose()
    return incident_id


async def _draft(sessionmaker, incident_id: str, words: str) -> str:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        draft = await post_update(
            session,
            actor=AUTHOR,
            incident_id=incident_id,
            data=UpdateCreate(status="investigating", body=words),
        )
        await submit_draft(session, actor=AUTHOR, update_id=draft.id)
        await session.commit()
        return draft.id


async def _approve(sessionmaker, update_id: str) -> float:  # type: ignore[no-untyped-def]
    """Approve (which publishes and fans out); returns the time the approval began."""
    started = time.time()
    async with sessionmaker() as session:
        await approve_draft(session, actor=REVIEWER, update_id=update_id)
        await session.commit()
    return started


async def _sent(sessionmaker, update_id: str) -> int:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count()).where(
                    Delivery.update_id == update_id, Delivery.state == DeliveryState.SENT.value
                )
            )
            or 0
        )


async def _all_recorded(sessionmaker, update_id: str, count: int) -> None:  # type: ignore[no-untyped-def]
    while True:
        if await _sent(sessionmaker, update_id) >= count:
            return
        await asyncio.sleep(0.02)


async def _sample(sessionmaker, settings: Settings):  # type: ignore[no-untyped-def]
    """One message exactly as the worker builds it, for the bare loops to send."""
    async with sessionmaker() as session:
        delivery = await session.scalar(select(Delivery).order_by(Delivery.id).limit(1))
        assert delivery is not None
        worker = DeliveryWorker(settings, sessionmaker)
        batch = Batch(settings, worker.renderer, session, CommonParts())
        await batch.load([delivery])
        return (await batch.prepare(delivery)).message


async def _bare_smtp(port: int, message, count: int, connections: int) -> float:  # type: ignore[no-untyped-def]
    """aiosmtplib alone: as many connections as the worker opens, `count` messages in all."""
    left = list(range(count))

    async def lane() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await smtp.connect()
        while left:
            n = left.pop()
            await smtp.sendmail(message.sender, [f"bare{n}@example.org"], message.data)
        await smtp.quit()

    started = time.time()
    await asyncio.gather(*(lane() for _ in range(connections)))
    return started


async def _bare_wire(port: int, message, count: int, connections: int) -> float:  # type: ignore[no-untyped-def]
    """The same loop over the worker's own connection (`SmtpWire`, pipelined where the
    server offers it): what the worker adds to the sending itself shows against this one."""
    left = list(range(count))

    async def lane() -> None:
        wire = await SmtpWire.open(
            host="127.0.0.1",
            port=port,
            start_tls=False,
            username=None,
            password=None,
            answer_within=30,
        )
        while left:
            n = left.pop()
            outcome = await wire.send(message.sender, f"wire{n}@example.org", message.data)
            assert outcome.ok, outcome.error
        await wire.quit()

    started = time.time()
    await asyncio.gather(*(lane() for _ in range(connections)))
    return started


async def _bare_http(url: str, message: WebhookMessage, count: int) -> float:
    left = list(range(count))
    async with httpx.AsyncClient() as client:

        async def lane() -> None:
            while left:
                n = left.pop()
                headers = {"content-type": "application/json", "webhook-id": f"bare{n}"}
                response = await client.post(url, content=message.body, headers=headers)
                response.raise_for_status()

        started = time.time()
        await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
    return started


async def _bare_aiohttp(url: str, message: WebhookMessage, count: int) -> float:
    """The same loop over aiohttp, the client the worker's lanes use: what the worker adds
    to the client's own cost shows against this one."""
    left = list(range(count))
    async with aiohttp.ClientSession() as session:

        async def lane() -> None:
            while left:
                n = left.pop()
                headers = {"content-type": "application/json", "webhook-id": f"bare{n}"}
                async with session.post(url, data=message.body, headers=headers) as response:
                    response.raise_for_status()
                    await response.read()

        started = time.time()
        await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
    return started


def _rate(arrivals: list[tuple[float, str]], started: float) -> float:
    return len(arrivals) / (max(at for at, _ in arrivals) - started)


async def _through_worker(
    settings: Settings, sessionmaker, sink: Sink, update_id: str, count: int
) -> tuple[float, CommonParts]:  # type: ignore[no-untyped-def]
    """Start an in-process worker on `count` waiting rows; emails/s until the last one."""
    before = sink.count()
    stop = asyncio.Event()
    started = time.time()
    worker = DeliveryWorker(settings, sessionmaker)
    task = asyncio.create_task(worker.serve(stop))
    await sink.wait_for(before + count)
    await _all_recorded(sessionmaker, update_id, count)
    stop.set()
    await task
    await worker.close()
    return _rate(sink.arrivals()[before:], started), worker.common


def _line(what: str, figure: float, unit: str, reference: float, target: str) -> None:
    print(
        f"{what}: {figure:,.0f} {unit}; reference {reference:,.0f} {unit}; "
        f"ratio {figure / reference:.2f} (target {target})"
    )


@contextlib.asynccontextmanager
async def _approved_fan_out(folder: Path, name: str, count: int):  # type: ignore[no-untyped-def]
    """`count` email subscribers on a fresh SQLite database, an update approved for them
    (the outbox rows written, no worker running yet) and the SMTP sink. Yields (sink,
    settings, sessionmaker, update id, the first message as the worker builds it)."""
    url = f"sqlite+aiosqlite:///{folder / name}"
    await _reset(url)
    sink = Sink("smtp", folder)
    settings = _settings(url, smtp_port=sink.port)
    incident_id = await _seed(url, settings, emails=count)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    try:
        update_id = await _draft(sessionmaker, incident_id, "We are failing over the database.")
        await _approve(sessionmaker, update_id)
        message = await _sample(sessionmaker, settings)
        yield sink, settings, sessionmaker, update_id, message
    finally:
        await engine.dispose()
        sink.stop()


async def bench_emails(folder: Path, count: int) -> None:
    async with _approved_fan_out(folder, "emails.db", count) as fan_out:
        sink, settings, sessionmaker, update_id, message = fan_out
        connections = settings.smtp_connections
        bare: list[float] = []
        cpu: dict[str, list[float]] = {"bare": [], "worker": [], "wire": []}

        def timed(kind: str):  # type: ignore[no-untyped-def]
            """CPU per email of this process's event loop (its main thread) and of the
            server, for one phase: where the time goes, beside the rates."""
            return _CpuPerEmail(cpu[kind], sink.proc.pid, count)

        with timed("bare"):
            started = await _bare_smtp(sink.port, message, count, connections)
        bare.append(_rate(sink.arrivals()[-count:], started))
        with timed("worker"):
            rate, common = await _through_worker(settings, sessionmaker, sink, update_id, count)
        with timed("bare"):
            started = await _bare_smtp(sink.port, message, count, connections)
        bare.append(_rate(sink.arrivals()[-count:], started))
        reference = statistics.mean(bare)
        _line(f"{count:,} emails, worker -> aiosmtpd", rate, "emails/s", reference, ">= 0.8")
        print(
            f"  bare aiosmtplib runs (no pipelining): {', '.join(f'{b:,.0f}' for b in bare)} "
            f"emails/s; both over {connections} SMTP connections"
        )
        with timed("wire"):
            started = await _bare_wire(sink.port, message, count, connections)
        wire = _rate(sink.arrivals()[-count:], started)
        print(
            f"  bare loop over the worker's pipelined connection: {wire:,.0f} emails/s; "
            f"the worker makes {rate / wire:.2f} of it"
        )
        for kind, what in (
            ("worker", "worker"),
            ("bare", "bare aiosmtplib"),
            ("wire", "bare pipelined"),
        ):
            loop_ms = statistics.mean(c for c in cpu[kind][0::2])
            sink_ms = statistics.mean(c for c in cpu[kind][1::2])
            print(
                f"  CPU per email, {what}: {loop_ms:.3f} ms in the sender's event loop, "
                f"{sink_ms:.3f} ms in the server"
            )
        print(f"  email renderings: {common.renders} for {count:,} emails")


class _CpuPerEmail:
    """Adds to `into` the milliseconds of CPU per email, of this thread then of `pid`."""

    def __init__(self, into: list[float], pid: int, count: int) -> None:
        self.into, self.pid, self.count = into, pid, count

    def __enter__(self) -> None:
        self.mine, self.theirs = time.thread_time(), _cpu_seconds(self.pid)

    def __exit__(self, *_: object) -> None:
        self.into.append((time.thread_time() - self.mine) / self.count * 1000)
        self.into.append((_cpu_seconds(self.pid) - self.theirs) / self.count * 1000)


def _worker_process(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": settings.database_url,
        "TIDINGS_BASE_URL": settings.base_url,
        "TIDINGS_SECRET_KEY": settings.secret_key,
        "TIDINGS_SMTP_HOST": "127.0.0.1",
        "TIDINGS_SMTP_PORT": str(settings.smtp_port),
        "TIDINGS_WORKER_CONCURRENCY": str(settings.worker_concurrency),
        "TIDINGS_SMTP_CONNECTIONS": str(settings.smtp_connections),
        "TIDINGS_WEBHOOK_ALLOW_PRIVATE": "1",
    }
    with log.open("ab") as out:
        # `-m` from the repository's root: this checkout's code, whatever is installed.
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )


async def _listeners(sessionmaker) -> int:  # type: ignore[no-untyped-def]
    """Worker processes listening on this PostgreSQL database (ready to be woken)."""
    async with sessionmaker() as session:
        found = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND query LIKE 'LISTEN%'"
            )
        )
        return int(found or 0)


async def _ready(sessionmaker, url: str, workers: int) -> None:  # type: ignore[no-untyped-def]
    if url.startswith("postgresql"):
        deadline = time.monotonic() + 60
        while await _listeners(sessionmaker) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("the worker processes did not start")
            await asyncio.sleep(0.1)
    # SQLite gives no sign of a worker being ready; the first, uncounted approval does.


async def _approve_latency(sessionmaker, sink: Sink, incident_id: str, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Approve five drafts, one at a time; seconds from approval to the first email. One
    approval before them is not counted: it shows the worker is up."""
    seconds = []
    for n in range(6):
        update_id = await _draft(sessionmaker, incident_id, f"Update number {n}.")
        before = sink.count()
        started = await _approve(sessionmaker, update_id)
        await sink.wait_for(before + count)
        first = min(at for at, _ in sink.arrivals()[before:])
        seconds.append(first - started)
        await _all_recorded(sessionmaker, update_id, count)
    return seconds[1:]


async def bench_approve(folder: Path, count: int, postgres: str | None) -> None:
    urls = [("SQLite", f"sqlite+aiosqlite:///{folder / 'approve.db'}")]
    if postgres:
        urls.append(("PostgreSQL", postgres))
    for name, url in urls:
        await _reset(url)
        sink = Sink("smtp", folder)
        settings = _settings(url, smtp_port=sink.port)
        incident_id = await _seed(url, settings, emails=count)
        engine = make_engine(url)
        sessionmaker = make_sessionmaker(engine)
        try:
            stop = asyncio.Event()
            task = asyncio.create_task(run_worker(settings, sessionmaker, stop))
            await asyncio.sleep(0.5)
            inside = await _approve_latency(sessionmaker, sink, incident_id, count)
            stop.set()
            await task
            proc = _worker_process(settings, folder / "approve-worker.log")
            try:
                await _ready(sessionmaker, url, 1)
                outside = await _approve_latency(sessionmaker, sink, incident_id, count)
            finally:
                proc.terminate()
                proc.wait()
        finally:
            await engine.dispose()
            sink.stop()
        for where, seconds in (("same process", inside), ("another process", outside)):
            print(
                f"approve -> first email, {name}, worker in {where} ({count} recipients): "
                f"median {statistics.median(seconds) * 1000:.0f} ms, worst "
                f"{max(seconds) * 1000:.0f} ms (target < 500 ms)"
            )


async def bench_webhooks(folder: Path, count: int) -> None:
    url = f"sqlite+aiosqlite:///{folder / 'webhooks.db'}"
    await _reset(url)
    sink = Sink("http", folder)
    settings = _settings(url)
    incident_id = await _seed(url, settings, emails=count, hook=sink.url)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    try:
        update_id = await _draft(sessionmaker, incident_id, "We are failing over the database.")
        await _approve(sessionmaker, update_id)
        message = await _sample(sessionmaker, settings)
        bare = []
        started = await _bare_http(sink.url, message, count)
        bare.append(_rate(sink.arrivals()[-count:], started))
        rate, _ = await _through_worker(settings, sessionmaker, sink, update_id, count)
        started = await _bare_http(sink.url, message, count)
        bare.append(_rate(sink.arrivals()[-count:], started))
        reference = statistics.mean(bare)
        _line(f"{count:,} webhooks, worker -> receiver", rate, "posts/s", reference, ">= 0.8")
        print(f"  bare httpx runs: {', '.join(f'{b:,.0f}' for b in bare)} posts/s")
        started = await _bare_aiohttp(sink.url, message, count)
        same_client = _rate(sink.arrivals()[-count:], started)
        print(
            f"  bare aiohttp (the worker's client): {same_client:,.0f} posts/s; "
            f"the worker makes {rate / same_client:.2f} of it"
        )
    finally:
        await engine.dispose()
        sink.stop()


async def _scale_run(
    url: str, folder: Path, workers: int, count: int, delay: float
) -> tuple[float, int, int]:
    """Emails/s through `workers` worker processes; (rate, repeats, recorded as sent)."""
    await _reset(url)
    sink = Sink("smtp", folder, delay=delay)
    settings = _settings(url, smtp_port=sink.port)
    incident_id = await _seed(url, settings, emails=count)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    procs = [_worker_process(settings, folder / f"scale-{n}.log") for n in range(workers)]
    try:
        await _ready(sessionmaker, url, workers)
        update_id = await _draft(sessionmaker, incident_id, "We are failing over the database.")
        started = await _approve(sessionmaker, update_id)
        await sink.wait_for(count)
        await _all_recorded(sessionmaker, update_id, count)
        await asyncio.sleep(0.5)  # a repeat would arrive now
        arrivals = sink.arrivals()
        sent = await _sent(sessionmaker, update_id)
        cpu = sum(_cpu_seconds(proc.pid) for proc in procs)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()
        await engine.dispose()
        sink.stop()
    received = Counter(who for _, who in arrivals)
    print(
        f"  {workers} worker process(es): {cpu / count * 1000:.2f} ms of CPU per email "
        f"(start-up included), {os.getloadavg()[0]:.1f} load average"
    )
    return _rate(arrivals, started), sum(received.values()) - len(received), sent


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench_scale(folder: Path, count: int, postgres: str | None, delay: float) -> None:
    if not postgres:
        print("scale: skipped (set TIDINGS_BENCH_POSTGRES_URL to a scratch database)")
        return
    one, repeats_one, sent_one = await _scale_run(postgres, folder, 1, count, delay)
    two, repeats_two, sent_two = await _scale_run(postgres, folder, 2, count, delay)
    _line(
        f"{count:,} emails, two worker processes, PostgreSQL, {delay * 1000:.0f} ms sink",
        two,
        "emails/s",
        one,
        ">= 1.6, one worker process as the reference",
    )
    print(
        f"  repeats: {repeats_one} with one, {repeats_two} with two (target 0); "
        f"recorded sent: {sent_one:,} and {sent_two:,} of {count:,}"
    )


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _steady_rate(arrivals: list[tuple[float, str]]) -> float:
    """Messages a second from the first arrival to the last (start-up left out)."""
    first, last = min(at for at, _ in arrivals), max(at for at, _ in arrivals)
    return (len(arrivals) - 1) / (last - first)


async def bench_large(folder: Path, count: int) -> None:
    """`count` emails (100,000) through one `tidings worker` process on SQLite, against the
    bare aiosmtplib loop; the worker's peak memory (target: under 300 MB)."""
    async with _approved_fan_out(folder, "large.db", count) as fan_out:
        sink, settings, sessionmaker, update_id, message = fan_out
        await _bare_smtp(sink.port, message, count, settings.smtp_connections)
        reference = _steady_rate(sink.arrivals()[-count:])
        before = sink.count()
        worker = _worker_process(settings, folder / "large.log")
        try:
            await sink.wait_for(before + count, stall=60)
            await _all_recorded(sessionmaker, update_id, count)
            peak = _peak_rss_mb(worker.pid)
        finally:
            worker.terminate()
            worker.wait()
        rate = _steady_rate(sink.arrivals()[before:])
        what = f"{count:,} emails, a worker process -> aiosmtpd"
        _line(what, rate, "emails/s", reference, ">= 0.8")
        print(f"  worker peak memory: {peak:,.0f} MB (target < 300 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "which", nargs="*", default=["emails", "approve", "webhooks", "scale"], metavar="BENCH"
    )
    parser.add_argument("--emails", type=int, default=3_000)
    parser.add_argument("--webhooks", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=100_000, help="emails of `large`")
    parser.add_argument("--recipients", type=int, default=200, help="per approval")
    parser.add_argument("--delay", type=float, default=0.02, help="the slow sink's (scale)")
    args = parser.parse_args()
    postgres = os.environ.get("TIDINGS_BENCH_POSTGRES_URL")

    async def go() -> None:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            if "emails" in args.which:
                await bench_emails(folder, args.emails)
            if "approve" in args.which:
                await bench_approve(folder, args.recipients, postgres)
            if "webhooks" in args.which:
                await bench_webhooks(folder, args.webhooks)
            if "scale" in args.which:
                await bench_scale(folder, args.emails, postgres, args.delay)
            if "large" in args.which:
                await bench_large(folder, args.large)

    asyncio.run(go())


if __name__ == "__main__":
    main()
