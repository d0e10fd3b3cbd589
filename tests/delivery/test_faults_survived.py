"""Faults the delivery worker survives, measured: `tidings worker` runs as a process of its
own against the real database, a real SMTP server (aiosmtpd) and real HTTP receivers on
loopback, and the test breaks things around it.

Each scenario asserts the same three figures and prints them (run with `-s` to read them):
- lost: messages never delivered to a reader who should have them: 0;
- repeats: messages delivered twice: at most what was sent and not yet recorded when the
  fault hit (the worker's window: a lane takes no next message while the window is full);
- time to drain: from the fault's end until everything was delivered and recorded. It is
  printed, not asserted, since a duration moves with the machine's load. A worker that
  stops making progress fails the test all the same: each wait gives up once nothing has
  moved for a while (`until`'s stall, the scenario's `drain_bound`).

`make test` runs the fast variants (about 1,000 messages); `make soak` the long ones
(10,000 messages, SMTP down for a minute).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from email.parser import BytesHeaderParser

import pytest

from app.delivery.jobs import UNRECORDED_PER_LANE
from tests.support import factories
from tests.support.bad_receivers import BadReceiver
from tests.support.peers import SmtpServer
from tests.support.polling import eventually
from tests.support.private_postgres import PrivatePostgres
from tests.support.worker_process import WorkerProcess, until

LANES = 8  # the worker's concurrency
# At most this many messages are sent, or being sent, and not yet recorded at any time.
WINDOW = LANES * UNRECORDED_PER_LANE


def figures(scenario: str, **values: object) -> None:
    print(f"\nFAULT {scenario}: " + " ".join(f"{k}={v}" for k, v in values.items()))


async def _readers(client, keys, count: int) -> list[str]:
    addresses = [f"reader{n}@example.org" for n in range(count)]
    imported = await client.post(
        "/api/v1/subscribers/import",
        content="\n".join(addresses).encode(),
        headers={**keys["comms_lead"], "Content-Type": "text/csv"},
    )
    assert imported.json()["created"] == count, imported.text
    return addresses


async def _publish(client, keys) -> dict:
    incident = await factories.incident(client, keys["responder"], "Database failover")
    return await factories.publish(client, keys["comms_lead"], incident["id"], "Failing over.")


async def _counts(client, keys, update: dict) -> dict[str, int]:
    report = await client.get(
        f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"]
    )
    return report.json()["counts"]


async def _until_all_recorded(client, keys, update: dict, readers: int, *, seconds: float) -> None:
    """Wait (at most `seconds`) until every reader's delivery is recorded as sent."""

    async def all_recorded() -> bool:
        return (await _counts(client, keys, update))["sent"] == readers

    await eventually(all_recorded, seconds)


def _lost_and_repeats(smtp: SmtpServer, addresses: list[str]) -> tuple[int, int]:
    parser = BytesHeaderParser()  # headers only: ten thousand whole parses take minutes
    with smtp.lock:
        raw = list(smtp.raw)
    heads = [parser.parsebytes(content) for content in raw]
    received = Counter(h["To"] for h in heads)
    lost = len(set(addresses) - set(received))
    # A repeat is recognisable: it carries the same Message-ID as the first copy.
    ids: dict[str, set[str]] = {}
    for head in heads:
        ids.setdefault(head["To"], set()).add(head["Message-ID"])
    assert all(len(found) == 1 for found in ids.values())
    return lost, sum(received.values()) - len(received)


# -- the worker killed three times ------------------------------------------------------


@pytest.mark.parametrize(
    ("readers", "drain_bound"),
    [(1_000, 120.0), pytest.param(10_000, 900.0, marks=pytest.mark.soak)],
)
async def test_a_worker_killed_three_times_mid_fanout_loses_nothing(
    client, keys, smtp, database_url, tmp_path, readers, drain_bound
):
    addresses = await _readers(client, keys, readers)
    update = await _publish(client, keys)
    worker = WorkerProcess(
        database_url,
        smtp.port,
        tmp_path / "worker.log",
        TIDINGS_WORKER_CONCURRENCY=str(LANES),
    )
    started = time.monotonic()
    kills = []
    try:
        for share in (0.2, 0.45, 0.7):
            worker.start()
            assert await until(lambda s=share: smtp.count() >= readers * s), worker.output()
            worker.kill()
            kills.append(smtp.count())
        assert smtp.count() < readers, "the fan-out finished before the third kill"
        worker.start()
        assert await until(lambda: smtp.count() >= readers, stall=drain_bound), worker.output()

        await _until_all_recorded(client, keys, update, readers, seconds=60)
        drained = time.monotonic() - started
    finally:
        code = worker.stop()
    assert code == 0, worker.output()
    lost, repeats = _lost_and_repeats(smtp, addresses)
    figures(
        "worker SIGKILLed 3 times",
        messages=readers,
        killed_at=kills,
        lost=lost,
        repeats=repeats,
        bound=3 * WINDOW,
        drain_s=f"{drained:.1f}",
    )
    assert lost == 0
    assert repeats <= 3 * WINDOW


# -- SMTP down for a while, then back ---------------------------------------------------


@pytest.mark.parametrize(
    ("readers", "down_for", "drain_bound"),
    [(300, 8.0, 45.0), pytest.param(2_000, 60.0, 180.0, marks=pytest.mark.soak)],
)
async def test_smtp_down_for_a_while_then_back_loses_nothing(
    client, keys, smtp, database_url, tmp_path, readers, down_for, drain_bound
):
    addresses = await _readers(client, keys, readers)
    update = await _publish(client, keys)
    worker = WorkerProcess(
        database_url,
        smtp.port,
        tmp_path / "worker.log",
        TIDINGS_WORKER_CONCURRENCY=str(LANES),
    )
    try:
        worker.start()
        assert await until(lambda: smtp.count() >= readers // 5), worker.output()
        smtp.stop()  # connections dropped mid-conversation, then nothing listens
        down_at = smtp.count()
        await asyncio.sleep(down_for)
        smtp.start()
        back = time.monotonic()
        assert await until(lambda: smtp.count() >= readers, stall=drain_bound), (
            smtp.count(),
            await _counts(client, keys, update),
            worker.output(),
        )

        await _until_all_recorded(client, keys, update, readers, seconds=30)
        drained = time.monotonic() - back
    finally:
        code = worker.stop()
    assert code == 0, worker.output()
    lost, repeats = _lost_and_repeats(smtp, addresses)
    figures(
        f"SMTP down {down_for:g} s",
        messages=readers,
        sent_before_outage=down_at,
        lost=lost,
        repeats=repeats,
        bound=WINDOW,
        drain_after_back_s=f"{drained:.1f}",
    )
    assert lost == 0
    assert repeats <= WINDOW


# -- PostgreSQL restarted under the worker ----------------------------------------------


async def test_postgresql_restarted_mid_fanout_the_worker_carries_on_and_loses_nothing(
    private_client, private_keys, private_postgres: PrivatePostgres, smtp, tmp_path
):
    """The worker's database goes away mid fan-out (a fast shutdown cuts every connection,
    nothing listens for 3 s, then it is back); the same worker process carries on."""
    readers, down_for, drain_bound = 1_000, 3.0, 45.0
    client, keys = private_client, private_keys
    addresses = await _readers(client, keys, readers)
    update = await _publish(client, keys)
    worker = WorkerProcess(
        private_postgres.url,
        smtp.port,
        tmp_path / "worker.log",
        TIDINGS_WORKER_CONCURRENCY=str(LANES),
    )
    try:
        worker.start()
        assert await until(lambda: smtp.count() >= readers // 4), worker.output()
        down_at = smtp.count()
        await asyncio.to_thread(private_postgres.stop)
        await asyncio.sleep(down_for)
        await asyncio.to_thread(private_postgres.start)
        back = time.monotonic()
        assert worker.process is not None and worker.process.poll() is None, worker.output()
        assert await until(lambda: smtp.count() >= readers, stall=drain_bound), (
            smtp.count(),
            worker.output(),
        )

        await _until_all_recorded(client, keys, update, readers, seconds=30)
        drained = time.monotonic() - back
    finally:
        code = worker.stop()
    assert code == 0, worker.output()
    lost, repeats = _lost_and_repeats(smtp, addresses)
    figures(
        f"PostgreSQL stopped for {down_for:g} s",
        messages=readers,
        sent_before_stop=down_at,
        lost=lost,
        repeats=repeats,
        bound=WINDOW,
        drain_after_back_s=f"{drained:.1f}",
        worker_exit=code,
    )
    assert lost == 0
    assert repeats <= WINDOW


async def test_a_worker_told_to_stop_while_postgresql_is_down_stops_and_loses_nothing(
    private_client, private_keys, private_postgres: PrivatePostgres, smtp, tmp_path
):
    """A worker waiting for its database to come back still stops when told to (SIGTERM),
    within seconds; the next worker sends what is left, repeating at most the window."""
    readers = 300
    client, keys = private_client, private_keys
    addresses = await _readers(client, keys, readers)
    update = await _publish(client, keys)

    def worker() -> WorkerProcess:
        return WorkerProcess(
            private_postgres.url,
            smtp.port,
            tmp_path / "worker.log",
            TIDINGS_WORKER_CONCURRENCY=str(LANES),
        )

    first, second = worker(), worker()
    try:
        first.start()
        assert await until(lambda: smtp.count() >= readers // 5), first.output()
        await asyncio.to_thread(private_postgres.stop)
        asked = time.monotonic()
        code = await asyncio.to_thread(first.stop)
        stopped_in = time.monotonic() - asked
        await asyncio.to_thread(private_postgres.start)
        second.start()
        assert await until(lambda: smtp.count() >= readers, stall=30), second.output()

        await _until_all_recorded(client, keys, update, readers, seconds=30)
    finally:
        first.stop()
        assert second.stop() == 0, second.output()
    lost, repeats = _lost_and_repeats(smtp, addresses)
    figures(
        "worker stopped while PostgreSQL is down",
        messages=readers,
        stopped_in_s=f"{stopped_in:.1f}",
        lost=lost,
        repeats=repeats,
        bound=WINDOW,
    )
    assert code == 0, first.output()  # it stopped on SIGTERM, within stop()'s 20 s
    assert lost == 0
    assert repeats <= WINDOW


# -- webhook receivers that misbehave ---------------------------------------------------


def _bad_receivers() -> dict[str, BadReceiver]:
    """One receiver per misbehaviour; each but the 410 one recovers after its first answer."""
    return {
        "500": BadReceiver("status", status=500, recover_after=1),
        "429 Retry-After: 3": BadReceiver(
            "status", status=429, headers={"Retry-After": "3"}, recover_after=1
        ),
        "410": BadReceiver("status", status=410),
        "hang": BadReceiver("hang", recover_after=1),
        "trickle": BadReceiver("trickle", interval=3.0, recover_after=1),
        "huge body": BadReceiver("huge", size=200 * 1024 * 1024, recover_after=1),
    }


@pytest.fixture(name="misbehaving")
def misbehaving_fixture():
    receivers = _bad_receivers()
    for receiver in receivers.values():
        receiver.start()
    yield receivers
    for receiver in receivers.values():
        receiver.stop()


@pytest.mark.settings(webhook_allow_private=True)
async def test_webhook_receivers_that_fail_hang_trickle_or_flood_cost_no_email_and_lose_nothing(
    client, keys, smtp, database_url, tmp_path, misbehaving
):
    readers = 500
    addresses = await _readers(client, keys, readers)
    hooks = {}
    for name, receiver in misbehaving.items():
        hooks[name] = await factories._post(
            client,
            "/api/v1/subscribers",
            keys["comms_lead"],
            {"kind": "webhook", "url": receiver.url},
        )
    update = await _publish(client, keys)
    worker = WorkerProcess(
        database_url,
        smtp.port,
        tmp_path / "worker.log",
        TIDINGS_WORKER_CONCURRENCY=str(LANES),
        TIDINGS_WEBHOOK_ALLOW_PRIVATE="1",
        # Nobody is killed here: a lease longer than the 10 s request deadline, as in
        # production (120 s), so a busy machine's slow commit never hands a row to a second
        # lane and the 429 receiver's second request measures Retry-After, not the lease.
        TIDINGS_WORKER_LEASE_SECONDS="30",
    )
    recovering = [r for name, r in misbehaving.items() if name != "410"]
    started = time.monotonic()
    try:
        worker.start()
        # The hanging and trickling receivers hold a lane each for the 10 s deadline; the
        # other lanes carry every email meanwhile.
        assert await until(lambda: smtp.count() >= readers, stall=30), worker.output()
        emails_done = time.monotonic() - started
        assert await until(lambda: all(r.accepted for r in recovering), stall=40), {
            name: (r.requests, len(r.accepted)) for name, r in misbehaving.items()
        }

        async def all_recorded() -> bool:
            counts = await _counts(client, keys, update)
            return counts["sent"] == readers + len(recovering) and counts["failed"] == 1

        await eventually(all_recorded, 30)
        drained = time.monotonic() - started
        peak = worker.peak_memory_mb()
    finally:
        code = worker.stop()
    assert code == 0, worker.output()

    lost, repeats = _lost_and_repeats(smtp, addresses)
    accepted = {name: len(r.accepted) for name, r in misbehaving.items()}
    attempts = {name: r.requests for name, r in misbehaving.items()}
    figures(
        "webhook receivers 500, 429, 410, hang, trickle, huge body",
        emails=readers,
        emails_done_s=f"{emails_done:.1f}",
        attempts=attempts,
        lost=lost + sum(1 for r in recovering if not r.accepted),
        repeats=repeats + sum(max(0, n - 1) for n in accepted.values()),
        drain_s=f"{drained:.1f}",
        worker_peak_mb=f"{peak:.0f}",
    )
    assert lost == 0 and repeats == 0
    # Every receiver that came back got the update exactly once, under one webhook-id.
    for name, receiver in misbehaving.items():
        ids = {webhook_id for _at, webhook_id in receiver.attempts}
        assert len(ids) == 1, (name, ids)
        if name != "410":
            assert receiver.accepted == [next(iter(ids))], name
    # The 410 receiver was asked once and its subscriber turned off.
    assert misbehaving["410"].requests == 1
    gone = await client.get(f"/api/v1/subscribers/{hooks['410']['id']}", headers=keys["comms_lead"])
    assert gone.json()["state"] == "disabled", gone.text
    # The 429 receiver was asked again no sooner than it said.
    (first, _), (second, _) = misbehaving["429 Retry-After: 3"].attempts[:2]
    assert second - first >= 3.0
    # The 200 MB answer was read up to the cap: the worker stayed small (the attack that
    # read it whole took a worker from 78 MB to 693 MB).
    assert peak < 250, peak
