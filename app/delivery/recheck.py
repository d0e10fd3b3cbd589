"""Asking again before sending: the audience rule when a claim is read, and the
subscriber's own state from the database just before each message leaves.

The fan-out chose the recipients when the words were published, and a claim reads what its
rows need once; a row may then wait in the worker's queue behind hundreds of others. A
subscriber removed meanwhile (unsubscribed, deleted by the team, disabled) must not keep
receiving what was queued for it. So between the claim's queue and the lanes stands a gate:
it takes messages only as lanes are about to be free (at most one waiting per lane), reads
their subscribers' state of now in one query, and hands on only those still wanted. Once a
removal has been answered, what still reaches the subscriber is at most what had passed the
gate: one message waiting and one being sent per lane, the worker's window. The lanes never
wait for the query: it runs while they send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app import audience as aud
from app.delivery.messages import Batch
from app.delivery.models import Delivery, Message
from app.delivery.prepared import Prepared
from app.delivery.queue import Outcome
from app.subscribers.models import Subscriber

log = logging.getLogger("tidings.delivery")

# Back-off between attempts to read while the database is away.
RETRY_FIRST = 0.25
RETRY_MOST = 5.0


class Gate:
    """Hands the lanes only messages whose subscriber still takes them, read just before."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        lanes: int,
        skip: Callable[[int, Outcome], object],
    ) -> None:
        self.sessionmaker = sessionmaker
        self.lanes = lanes
        self.skip = skip  # records a message that is not sent
        self.ready: asyncio.Queue[Prepared | None] = asyncio.Queue()
        self._taken = asyncio.Event()  # a lane took a message from `ready`
        self.held: list[int] = []  # delivery ids not passed on because the worker stops
        self._giving_up = asyncio.Event()  # set: do not wait for a database that is away
        # One connection kept for the gate's reads: a pool checkout (and its ping) per read
        # cost more than the read.
        self._engine: AsyncEngine = sessionmaker.kw["bind"]
        self._connection: AsyncConnection | None = None

    def taken(self) -> None:
        """A lane took a message from `ready`."""
        self._taken.set()

    def stop_waiting(self) -> None:
        """The worker stops: pass nothing more on (what the gate still holds goes to `held`,
        for the worker to give back), and give up on a database that is away."""
        self._giving_up.set()
        self._taken.set()

    async def run(self, source: asyncio.Queue[Prepared | None]) -> None:
        """Pass messages from `source` to `ready` until `source` gives None; then tell each
        lane to stop (a None each)."""
        closing = False
        try:
            while not closing:
                first = await source.get()
                if first is None:
                    break
                # At most one message waits per lane. Read once half the places are free, so
                # that one read serves several messages while the lanes send the others.
                while (free := self.lanes - self.ready.qsize()) < max(1, self.lanes // 2):
                    if self._giving_up.is_set():
                        break
                    self._taken.clear()
                    await self._taken.wait()
                batch = [first]
                if self._giving_up.is_set():
                    self.held.append(first.delivery_id)
                    continue
                while len(batch) < free and not source.empty():
                    item = source.get_nowait()
                    if item is None:
                        closing = True
                        break
                    batch.append(item)
                refused = await self._refusals(batch)
                for item in batch:
                    reason = refused.get(item.delivery_id)
                    if reason is _UNKNOWN or (reason is None and self._giving_up.is_set()):
                        self.held.append(item.delivery_id)  # the worker stops: not sent now
                    elif reason is None:
                        self.ready.put_nowait(item)
                    else:
                        self.skip(item.delivery_id, Outcome(ok=False, skipped=True, error=reason))
        finally:
            for _ in range(self.lanes):
                self.ready.put_nowait(None)
            if self._connection is not None:
                with contextlib.suppress(Exception):
                    await self._connection.close()

    async def _refusals(self, batch: list[Prepared]) -> dict[int, str]:
        """Delivery id -> why it may not go now, from the subscribers' state read now."""
        ids = {i.subscriber_id for i in batch if i.subscriber_id is not None}
        if not ids:
            return {}  # desk users' notices: their reader is read when the message is built
        pause = RETRY_FIRST
        while True:
            try:
                found = await self._read(sorted(ids))
                break
            except Exception:  # the database may be away for a moment: ask again
                log.warning("could not read the state of %d subscribers", len(ids))
                if self._giving_up.is_set():
                    return {i.delivery_id: _UNKNOWN for i in batch}
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._giving_up.wait(), pause)
                pause = min(pause * 2, RETRY_MOST)
        refused = {}
        for item in batch:
            if item.subscriber_id is None:
                continue
            reason = _why_not(found.get(item.subscriber_id), confirming=item.confirming)
            if reason is not None:
                refused[item.delivery_id] = reason
        return refused

    async def _read(self, ids: list[str]) -> dict[str, _State]:
        query = select(
            Subscriber.id,
            Subscriber.confirmed_at,
            Subscriber.unsubscribed_at,
            Subscriber.disabled_at,
            Subscriber.quarantined_at,
        ).where(Subscriber.id.in_(ids))
        if self._connection is None:
            # Each read its own statement, outside any transaction: it sees what was
            # committed before it, and costs one round trip.
            connection = await self._engine.connect()
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            rows = (await self._connection.execute(query)).all()
        except Exception:
            connection, self._connection = self._connection, None
            with contextlib.suppress(Exception):
                await connection.close()
            raise
        return {row.id: _State(*row[1:]) for row in rows}


_UNKNOWN = "not sent yet: the subscriber's state could not be read"


@dataclass(frozen=True)
class _State:
    """A subscriber's state as just read, as the audience's rule reads a recipient."""

    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    disabled_at: datetime | None
    quarantined_at: datetime | None
    customer_id: str | None = None  # not asked: the claim's check looked at the audience

    state = Subscriber.state  # the same words as the subscriber's own


def _why_not(subscriber: _State | None, *, confirming: bool) -> str | None:
    if subscriber is None:
        return "not sent: the subscriber was removed"
    if confirming:  # a confirmation goes to a subscriber not confirmed yet
        gone = (
            subscriber.unsubscribed_at is not None
            or subscriber.disabled_at is not None
            or subscriber.quarantined_at is not None
        )
        return f"not sent: the subscriber is {subscriber.state}" if gone else None
    if not aud.is_receiving(subscriber):
        return f"not sent: the subscriber is {subscriber.state}"
    return None


async def refusals(
    session: AsyncSession, batch: Batch, deliveries: list[Delivery]
) -> dict[int, str]:
    """Ask the audience rule again when a claim is read: delivery id -> why it may not go.

    The fan-out chose the recipients when the words were published; since then the
    incident may have turned internal, its customers may have changed, or the subscriber may
    have moved. What the batch read just now, right after the claim, decides.
    """
    updates = [d for d in deliveries if d.message == Message.INCIDENT_UPDATE]
    affected: dict[str, set[str]] = {}
    # Only a customer's contacts need the affected customers; public readers do not.
    if updates and any(s.customer_id for s in batch.subscribers.values()):
        rows = await session.execute(aud.affected_pairs_select(list(batch.incidents)))
        for incident_id, customer_id in rows:
            affected.setdefault(incident_id, set()).add(customer_id)
    refused = {}
    for delivery in updates:
        subscriber = batch.subscribers.get(delivery.subscriber_id or "")
        update_ = batch.updates.get(delivery.update_id or "")
        incident = batch.incidents.get(update_.incident_id) if update_ else None
        if subscriber is None or update_ is None or incident is None:
            continue  # gone altogether: preparing the message says so
        reason = aud.why_not_send(
            subscriber, update_, incident, affected=affected.get(incident.id, set())
        )
        if reason is not None:
            refused[delivery.id] = reason
    return refused
