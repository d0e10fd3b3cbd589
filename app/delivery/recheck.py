"""Asking again before sending: the audience rule when a claim is read, and the
subscriber's own state from the database just before each message leaves.

The fan-out chose the recipients when the words were published, and a claim reads what its
rows need once; a row may then wait in the worker's queue behind hundreds of others. A
subscriber removed meanwhile (unsubscribed, deleted by the team, disabled) must not keep
receiving what was queued for it: each lane asks the database for the subscriber's current
state right before it sends, so once a removal has been answered, at most the messages
already being sent (one per lane, within the worker's window) still reach it. The lanes'
questions are asked together, one query per round for every lane waiting, so a fan-out
pays one small read per round of sends, not one per message.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import load_only

from app import audience as aud
from app.delivery.messages import Batch
from app.delivery.models import Delivery, Message
from app.delivery.prepared import Prepared
from app.subscribers.models import Subscriber

log = logging.getLogger("tidings.delivery")

# Back-off between attempts to read while the database is away.
RETRY_FIRST = 0.25
RETRY_MOST = 5.0
# The database could not be asked (and the worker is stopping): nothing is sent, and the
# row comes back when its lease runs out.
UNKNOWN = "not sent yet: the subscriber's state could not be read"


class Recheck:
    """The subscriber's state of now, read just before each send."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self._asked: dict[str, list[asyncio.Future[Subscriber | str | None]]] = {}
        self._rounds: asyncio.Task[None] | None = None
        self._patient = True  # whether to wait for a database that is away

    def stop_waiting(self) -> None:
        """Give up on a database that is away: a worker asked to stop stops."""
        self._patient = False

    async def refusal(self, item: Prepared) -> str | None:
        """None when `item` may be sent now, else why not (`UNKNOWN`: not known)."""
        if item.subscriber_id is None:
            return None  # a desk user's notice: its reader is read when it is built
        future: asyncio.Future[Subscriber | str | None] = asyncio.get_running_loop().create_future()
        self._asked.setdefault(item.subscriber_id, []).append(future)
        if self._rounds is None or self._rounds.done():
            self._rounds = asyncio.create_task(self._ask())
        subscriber = await future
        if isinstance(subscriber, str):
            return subscriber
        if subscriber is None:
            return "not sent: the subscriber was removed"
        if item.confirming:  # a confirmation goes to a subscriber not yet confirmed
            gone = subscriber.unsubscribed_at is not None or subscriber.disabled_at is not None
            return f"not sent: the subscriber is {subscriber.state}" if gone else None
        if not aud.is_receiving(subscriber):
            return f"not sent: the subscriber is {subscriber.state}"
        return None

    async def _ask(self) -> None:
        """Answer every question asked, a round at a time: each round's query starts after
        its questions were asked, so it reads what was committed before they were."""
        pause = RETRY_FIRST
        while self._asked:
            asked, self._asked = self._asked, {}
            try:
                found = await self._read(list(asked))
            except Exception:  # the database may be away for a moment: ask again
                log.warning("could not read the state of %d subscribers", len(asked))
                if self._patient:
                    for sid, futures in asked.items():
                        self._asked.setdefault(sid, []).extend(futures)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, RETRY_MOST)
                    continue
                found = dict.fromkeys(asked, UNKNOWN)
            pause = RETRY_FIRST
            for sid, futures in asked.items():
                for future in futures:
                    if not future.done():
                        future.set_result(found.get(sid))

    async def _read(self, ids: list[str]) -> dict[str, Subscriber | str | None]:
        columns = (Subscriber.confirmed_at, Subscriber.unsubscribed_at, Subscriber.disabled_at)
        async with self.sessionmaker() as session:
            rows = await session.scalars(
                select(Subscriber).options(load_only(*columns)).where(Subscriber.id.in_(ids))
            )
            return {s.id: s for s in rows}


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
