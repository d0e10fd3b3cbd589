"""Fan-out and send throughput: `python -m bench.fanout [--subscribers N] [--send N]`.

1. The set-based fan-out: one `INSERT ... SELECT` writing a delivery row per subscriber,
   timed for N subscribers (100,000 by default) on SQLite, and on PostgreSQL when
   TIDINGS_BENCH_POSTGRES_URL names a scratch database (its tables are dropped!).
2. The worker's send throughput against aiosmtpd on loopback (SQLite outbox).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import insert, text

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker
from app.delivery.jobs import DeliveryWorker
from app.delivery.outbox import enqueue_update
from app.incidents.schemas import IncidentCreate, UpdateCreate
from app.incidents.service import get_incident, open_incident, post_update
from app.lib.clock import utcnow
from app.lib.ids import new_id
from app.models import Base
from app.settings import Settings
from app.subscribers.models import Subscriber

BENCH = Actor(name="bench", role=Role.ADMIN, id="system:bench")


async def _seed(url: str, count: int) -> tuple[str, str]:
    """`count` confirmed email subscribers and a draft update; returns (incident, update)."""
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    now = utcnow()
    async with sessionmaker() as session:
        rows = [
            {
                "id": new_id(),
                "kind": "email",
                "address": f"reader{n}@example.org",
                "all_components": True,
                "confirmed_at": now,
                "created_by": "bench",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ]
        for start in range(0, count, 10_000):
            await session.execute(insert(Subscriber), rows[start : start + 10_000])
        incident = await open_incident(
            session, actor=BENCH, data=IncidentCreate(title="Benchmark outage")
        )
        update = await post_update(
            session,
            actor=BENCH,
            incident_id=incident.id,
            data=UpdateCreate(status="investigating", body="Looking into it."),
        )
        await session.commit()
        ids = incident.id, update.id
    await engine.dispose()
    return ids


async def time_fanout(url: str, count: int) -> float:
    incident_id, update_id = await _seed(url, count)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        incident = await get_incident(session, incident_id)
        update = next(u for u in incident.updates if u.id == update_id)
        started = time.perf_counter()
        written = await enqueue_update(session, update=update, incident=incident)
        await session.commit()
        elapsed = time.perf_counter() - started
    await engine.dispose()
    assert written == count, written
    return elapsed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.count += 1
        return "250 OK"


async def time_sending(url: str, count: int, concurrency: int) -> tuple[float, int]:
    await _seed(url, count)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        incident = (await session.execute(text("SELECT id FROM incidents"))).scalar_one()
        incident = await get_incident(session, incident)
        update = incident.updates[0]
        await enqueue_update(session, update=update, incident=incident)
        await session.commit()
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings = Settings(database_url=url, smtp_port=port, worker_concurrency=concurrency)
    worker = DeliveryWorker(settings, sessionmaker)
    try:
        started = time.perf_counter()
        while await worker.deliver_due():
            pass
        elapsed = time.perf_counter() - started
    finally:
        await worker.close()
        controller.stop()
        await engine.dispose()
    return elapsed, sink.count


async def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--send", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    assert Base  # every table is known to the migrations
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'fanout.db'}"
        upgrade(url)
        seconds = asyncio.run(time_fanout(url, args.subscribers))
        print(
            f"fan-out, SQLite: {args.subscribers:,} delivery rows in {seconds:.2f} s "
            f"({args.subscribers / seconds:,.0f} rows/s), one INSERT ... SELECT"
        )
    postgres = os.environ.get("TIDINGS_BENCH_POSTGRES_URL")
    if postgres:
        asyncio.run(_reset_postgres(postgres))
        upgrade(postgres)
        seconds = asyncio.run(time_fanout(postgres, args.subscribers))
        print(
            f"fan-out, PostgreSQL: {args.subscribers:,} delivery rows in {seconds:.2f} s "
            f"({args.subscribers / seconds:,.0f} rows/s)"
        )
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'send.db'}"
        upgrade(url)
        seconds, received = asyncio.run(time_sending(url, args.send, args.concurrency))
        print(
            f"sending, SQLite outbox -> aiosmtpd on loopback, concurrency {args.concurrency}: "
            f"{received:,} emails in {seconds:.2f} s ({received / seconds:,.0f} emails/s)"
        )


if __name__ == "__main__":
    main()
