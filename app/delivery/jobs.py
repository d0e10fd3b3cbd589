"""The delivery worker: a fixed pool of lanes pulling messages from a queue that a feeder
keeps filled from the outbox, and a recorder that writes results in groups.

Lanes never wait for one another: a lane that meets a slow or hanging peer is held for at
most the deadline (connect, send and the whole answer), while the other lanes go on and
the feeder claims more rows as lanes free up. Every claimed row not yet recorded is held
by a lease the worker renews; a worker that dies lets its rows come due again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.delivery.channels import Sender, Shared, open_sender
from app.delivery.email import MailerPool
from app.delivery.messages import Batch
from app.delivery.models import Delivery, Message
from app.delivery.prepared import Prepared
from app.delivery.queue import (
    DUE_STATES,
    Outcome,
    RetryPolicy,
    claim,
    due_now,
    extend_lease,
)
from app.delivery.recheck import Gate, refusals
from app.delivery.recorder import Recorder
from app.delivery.reuse import CommonParts, Snapshots
from app.lib.clock import utcnow
from app.lib.guarded_http import GuardedSession
from app.lib.templating import Renderer
from app.settings import Settings
from app.subscribers.public_webhooks import confirm_on_delivery

log = logging.getLogger("tidings.delivery")

DEADLINE = 10.0  # seconds for one whole send: connect, send, and the entire answer
BODY_CAP = 16 * 1024  # bytes of a peer's answer read at most (enough for an error message)
# Messages each lane may have sent, or be sending, before their results are written: the
# window is this times the lanes. A crash repeats at most the window; waiting for every
# result before the next message made a commit the pace of a fan-out (groups of 3 or 4).
UNRECORDED_PER_LANE = 2
# Each lane has its own HTTP session, of a few connections: a lane sends one request at a
# time, so a pool of its own holds few idle connections to look over before each request.
LANE_HTTP_CONNECTIONS = 4
GROUP_INTERVAL = 0.004  # seconds a result may wait for others to join its group commit
# Seconds a message in flight may take to finish once the worker is told to stop (serve stops
# within 3 s of SIGTERM); after that it goes back to the outbox, to be sent again later.
STOP_GRACE = 1.5


class DeliveryWorker:
    """Sends what the outbox holds. `serve` runs it until stopped; `deliver_due` sends one
    claim's worth and waits for it (for tests and one-off runs)."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        policy: RetryPolicy | None = None,
        lease: float | None = None,
        deadline: float = DEADLINE,
        body_cap: int = BODY_CAP,
        flush_interval: float = GROUP_INTERVAL,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.policy = policy or RetryPolicy(quarantine_after=settings.webhook_failure_limit)
        self.lease = lease if lease is not None else settings.worker_lease_seconds
        self.deadline = deadline
        self.body_cap = body_cap
        self.concurrency = settings.worker_concurrency
        self.batch_size = min(500, self.concurrency * 25)
        # Rows claimed ahead of the lanes: enough to keep them busy, few enough that a
        # crash repeats little and another worker finds work to share.
        self.capacity = max(self.batch_size, self.concurrency * 4)
        self.renderer = Renderer(theme=settings.theme, zone=settings.zone, globals_={})
        self.wake = asyncio.Event()  # set on a publish: look for new rows now
        # Seconds between cheap looks for due rows while idle, for a worker that no one
        # can wake from another process (SQLite); None: rest until woken or the poll.
        self.probe: float | None = None
        # An update's email rendered once per audience, shared by every batch.
        self.common = CommonParts()
        self.snapshots = Snapshots()  # the page's state, read once per change, not per claim
        self.outstanding: set[int] = set()  # claimed and not yet recorded
        self._sending: set[int] = set()  # in a lane's hands, its outcome not yet known
        self._queue: asyncio.Queue[Prepared | None] = asyncio.Queue()
        self._freed = asyncio.Event()
        # Sent or being sent, and not yet recorded: what a crash could repeat.
        self.window = self.concurrency * UNRECORDED_PER_LANE
        self._unrecorded = asyncio.Semaphore(self.window)
        self._recorder = Recorder(
            sessionmaker,
            self.policy,
            interval=flush_interval,
            # Half the window: lanes go on sending while the other half is written.
            group=max(1, self.window // 2),
            on_recorded=self._recorded,
        )
        # Between the claimed rows and the lanes: the subscriber's state asked again just
        # before each send (a removal is honoured for all but the messages in flight).
        self._gate = Gate(sessionmaker, lanes=self.concurrency, skip=self._recorder.add)
        self._gating: asyncio.Task[None] | None = None
        self._mailers: MailerPool | None = None
        self._lanes: list[asyncio.Task[None]] = []
        self._renewer: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()

    # -- life cycle ---------------------------------------------------------------------

    def _start(self) -> None:
        if self._mailers is not None:
            return
        connections = min(self.settings.smtp_connections, self.concurrency)
        self._mailers = MailerPool(self.settings, connections)
        self._recorder.start()
        self._gate = Gate(self.sessionmaker, lanes=self.concurrency, skip=self._recorder.add)
        self._gating = asyncio.create_task(self._gate.run(self._queue))
        self._lanes = [asyncio.create_task(self._lane()) for _ in range(self.concurrency)]
        self._renewer = asyncio.create_task(self._hold())

    async def close(self) -> None:
        """Stop: unsent rows go back at once, sends in flight within `STOP_GRACE` (else too)."""
        if self._mailers is None:
            return
        self._recorder.stop_waiting()  # lanes must not wait on a database that is away
        self._gate.stop_waiting()  # it passes nothing more on to the lanes
        waiting = []
        for queue in (self._queue, self._gate.ready):
            while not queue.empty():
                item = queue.get_nowait()
                if item is not None:
                    waiting.append(item.delivery_id)
        self._queue.put_nowait(None)  # the gate ends, then tells each lane to stop
        _done, held = await asyncio.wait(self._lanes, timeout=STOP_GRACE)
        waiting += sorted(self._sending)  # given up: a peer held them past the grace
        for lane in held:
            lane.cancel()
        await asyncio.gather(*self._lanes, return_exceptions=True)
        if self._gating is not None:
            await self._gating
        waiting += self._gate.held
        await self._recorder.close()
        if waiting:
            await self._release(waiting)
        self._closing.set()
        if self._renewer is not None:
            await self._renewer
        await self._mailers.close()
        self._mailers = None

    async def _release(self, ids: list[int]) -> None:
        try:
            async with self.sessionmaker() as session:
                await session.execute(
                    update(Delivery)
                    .where(Delivery.id.in_(ids), Delivery.state.in_(DUE_STATES))
                    .values(next_attempt_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                await session.commit()
        except Exception:  # their lease runs out instead
            log.warning("could not release %d unsent rows", len(ids))
        self.outstanding.difference_update(ids)

    # -- feeding --------------------------------------------------------------------------

    async def serve(self, stop: asyncio.Event) -> None:
        """Keep the lanes fed until `stop` is set: claim while there is room, then rest
        until a lane frees up, a publish wakes the worker, or the poll interval passes
        (with `probe`, glancing for due rows every `probe` seconds meanwhile)."""
        self._start()
        # Claim again once a quarter of the rows held have gone: each claim reads what its
        # rows need (subscribers, updates, the page's state) once, so few large claims
        # cost less than many small ones, and the queue never runs dry meanwhile.
        refill = max(1, self.concurrency, self.batch_size // 4)
        poll = self.settings.worker_poll_seconds
        last_claim = 0.0
        worth = True  # whether to claim now (False: only a probe's timer ran out)
        # The last claim took every row that was due: lanes freeing up is then no reason to
        # claim again (each such claim is a write that finds nothing); a publish, the poll
        # or a probe is.
        exhausted = False
        while not stop.is_set():
            room = self.capacity - len(self.outstanding)
            fed = 0
            if room >= refill and not worth:
                worth = time.monotonic() - last_claim >= poll or await self._due()
            if room >= refill and worth:
                last_claim = time.monotonic()
                asked = min(room, self.batch_size)
                try:
                    fed, claimed = await self._feed(asked)
                    exhausted = claimed < asked
                except Exception:  # the database may be away for a moment; try again
                    log.exception("could not claim deliveries")
            if fed and not exhausted:
                continue
            room = self.capacity - len(self.outstanding)
            self._freed.clear()
            events = [stop.wait(), self.wake.wait()]
            if room < refill and not exhausted:
                events.append(self._freed.wait())
            waiters = [asyncio.ensure_future(e) for e in events]
            done, _ = await asyncio.wait(
                waiters,
                timeout=min(poll, self.probe) if self.probe else poll,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for waiter in waiters:
                waiter.cancel()
            if self.wake.is_set():
                exhausted = False  # new rows: claim them as lanes free up
            self.wake.clear()
            worth = bool(done) or not self.probe

    async def _due(self) -> bool:
        try:
            async with self.sessionmaker() as session:
                return await due_now(session)
        except Exception:  # the database may be away for a moment; the poll tries again
            return False

    async def deliver_due(self, now: datetime | None = None) -> int:
        """Claim one batch of due rows, send it, and wait until every result is written;
        returns how many rows it handled (0: none due)."""
        self._start()
        ids = await self._claim_and_queue(self.batch_size, now=now)
        while True:
            self._freed.clear()
            if not (ids & self.outstanding):
                return len(ids)
            await self._freed.wait()

    async def _feed(self, limit: int) -> tuple[int, int]:
        """Claim up to `limit` rows and queue them: (rows new to this worker, rows claimed)."""
        claimed: list[int] = []
        fresh = await self._claim_and_queue(limit, claimed=claimed)
        return len(fresh), len(claimed)

    async def _claim_and_queue(
        self, limit: int, now: datetime | None = None, claimed: list[int] | None = None
    ) -> set[int]:
        async with self.sessionmaker() as session:
            ids = await claim(session, limit=limit, lease=self.lease, now=now)
            if claimed is not None:
                claimed.extend(ids)
            # Rows this worker already holds (queued or in flight) come due again when
            # their lease ran out while the database was away: they are not queued twice.
            fresh = [i for i in ids if i not in self.outstanding]
            if not fresh:
                return set()
            self.outstanding.update(fresh)
            handed: set[int] = set()  # queued for a lane or given to the recorder
            try:
                chosen = select(Delivery).where(Delivery.id.in_(fresh))
                deliveries = list(await session.scalars(chosen))
                batch = Batch(self.settings, self.renderer, session, self.common, self.snapshots)
                await batch.load(deliveries)
                refused = await refusals(session, batch, deliveries)
                for delivery in deliveries:
                    if delivery.id in refused:
                        self._recorder.add(
                            delivery.id, Outcome(ok=False, skipped=True, error=refused[delivery.id])
                        )
                        handed.add(delivery.id)
                        continue
                    try:
                        item = await batch.prepare(delivery)
                    except Exception as exc:  # a message that cannot be built must not stop others
                        log.exception("could not build delivery %s", delivery.id)
                        item = Prepared(delivery.id, error=f"could not build the message: {exc}")
                    handed.add(delivery.id)
                    item.subscriber_id = delivery.subscriber_id
                    item.confirming = delivery.message == Message.CONFIRMATION
                    if item.channel is None:  # nothing to send: recorded without a lane
                        self._recorder.add(delivery.id, _unsent(item))
                    else:
                        self._queue.put_nowait(item)
                        if self._queue.qsize() <= self.concurrency or self._queue.qsize() % 16 == 0:
                            # Lanes go on meanwhile: an idle one starts on this message now, not
                            # after the whole batch is built (the first email of a publish
                            # leaves at once), and busy ones hear their peers' answers.
                            await asyncio.sleep(0)
            except BaseException:
                # The database went away while the batch was read: the rows not handed on
                # are not this worker's to renew any more; their lease runs out and they
                # are claimed again (dropped here, they would be held for ever).
                self.outstanding.difference_update(set(fresh) - handed)
                raise
        return set(fresh)

    # -- lanes ----------------------------------------------------------------------------

    async def _lane(self) -> None:
        assert self._mailers is not None
        http = GuardedSession(
            allow_private=self.settings.webhook_allow_private,
            limit=LANE_HTTP_CONNECTIONS,
        )
        shared = Shared(self.settings, http, self.body_cap, self._mailers, self.sessionmaker)
        channels: dict[str, Sender[Any]] = {}
        try:
            while True:
                # A place in the window before the next message: while results cannot be
                # written (the database is away), the lanes stop once the window is full.
                await self._unrecorded.acquire()
                item = await self._gate.ready.get()
                if item is None:
                    self._unrecorded.release()
                    break
                self._gate.taken()
                self._sending.add(item.delivery_id)
                outcome = await self._send(item, channels, shared)
                self._sending.discard(item.delivery_id)
                if outcome.ok and item.confirms is not None:
                    # A public webhook's signed first delivery was accepted: it starts,
                    # before the delivery counts as done, so whoever waits for that sees a
                    # confirmed subscriber. Idempotent: a repeat confirms nothing twice.
                    async with self.sessionmaker() as session:
                        await confirm_on_delivery(session, item.confirms)
                        await session.commit()
                written = self._recorder.add(item.delivery_id, outcome)
                written.add_done_callback(lambda _: self._unrecorded.release())
        finally:
            for channel in channels.values():
                with contextlib.suppress(Exception):
                    await channel.close()
            with contextlib.suppress(Exception):
                await http.close()

    async def _send(
        self, item: Prepared, channels: dict[str, Sender[Any]], shared: Shared
    ) -> Outcome:
        assert item.channel is not None
        try:
            channel = channels.get(item.channel)
            if channel is None:
                channel = channels[item.channel] = open_sender(item.channel, shared)
            # The channel bounds its own exchange; this outer bound (a little longer) is a
            # guarantee that no lane is ever held longer, whatever a channel does.
            async with asyncio.timeout(self.deadline + 1):
                return await channel.send(item.message, deadline=self.deadline)
        except Exception as exc:  # a bug in one send must not take the lane down
            log.exception("sending delivery %s failed", item.delivery_id)
            return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}")

    def _recorded(self, ids: list[int]) -> None:
        self.outstanding.difference_update(ids)
        self._freed.set()

    async def _hold(self) -> None:
        """Renew the lease on every claimed, unrecorded row every third of a lease."""
        while not self._closing.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.lease / 3)
            if self._closing.is_set() or not self.outstanding:
                continue
            try:
                # Not while results are written: a row recorded for a retry in 3 s must not
                # be renewed to the lease's end (a 429's Retry-After would not be honoured).
                async with self._recorder.lock, self.sessionmaker() as session:
                    if self.outstanding:
                        await extend_lease(session, sorted(self.outstanding), lease=self.lease)
            except Exception:  # the lease then runs out; at worst a row is sent twice
                log.warning("could not extend the lease of %d rows", len(self.outstanding))


def _unsent(item: Prepared) -> Outcome:
    if item.skip is not None:
        return Outcome(ok=False, skipped=True, error=item.skip)
    if item.error is not None:
        return Outcome(ok=False, permanent=True, error=item.error)
    return Outcome(ok=False, skipped=True, error="nothing to send")
