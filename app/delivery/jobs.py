"""The delivery job: claim due outbox rows, build each message, send, record the result.

Sending runs in `worker_concurrency` lanes; each lane keeps one SMTP connection for many
messages. A result is written (and committed) as soon as its send returns, so a worker
killed at any moment repeats at most one message per lane.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import audience as aud
from app.delivery import webhooks
from app.delivery.email import Mailer, make_mailer
from app.delivery.messages import Batch, Prepared
from app.delivery.models import Delivery, Message
from app.delivery.service import Outcome, RetryPolicy, claim, extend_lease, record_outcome
from app.lib.templating import Renderer
from app.settings import Settings

log = logging.getLogger("tidings.delivery")


class DeliveryWorker:
    """Sends what the outbox holds. `deliver_due` is the job `app.worker` runs in a loop."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        policy: RetryPolicy | None = None,
        lease: float | None = None,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.policy = policy or RetryPolicy()
        self.lease = lease if lease is not None else settings.worker_lease_seconds
        self.concurrency = settings.worker_concurrency
        self.batch_size = min(500, self.concurrency * 25)
        self.renderer = Renderer(theme=settings.theme, zone=settings.zone, globals_={})
        self._http: httpx.AsyncClient | None = None
        self._record_lock = asyncio.Lock()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def deliver_due(self, now: datetime | None = None) -> int:
        """Send one batch of due rows; returns how many rows it handled (0: none due)."""
        async with self.sessionmaker() as session:
            ids = await claim(session, limit=self.batch_size, lease=self.lease, now=now)
            if not ids:
                return 0
            deliveries = list(await session.scalars(select(Delivery).where(Delivery.id.in_(ids))))
            batch = Batch(self.settings, self.renderer, session)
            await batch.load(deliveries)
            refused = await refusals(session, batch, deliveries)
            prepared = []
            for delivery in deliveries:
                if delivery.id in refused:
                    prepared.append(Prepared(delivery.id, skip=refused[delivery.id]))
                    continue
                try:
                    prepared.append(await batch.prepare(delivery))
                except Exception as exc:  # a message that cannot be built must not stop others
                    log.exception("could not build delivery %s", delivery.id)
                    prepared.append(
                        Prepared(delivery.id, error=f"could not build the message: {exc}")
                    )
        await self._send_all(prepared)
        return len(prepared)

    async def _send_all(self, prepared: list[Prepared]) -> None:
        queue: asyncio.Queue[Prepared] = asyncio.Queue()
        for item in prepared:
            queue.put_nowait(item)
        if any(p.webhook for p in prepared) and self._http is None:
            self._http = webhooks.make_client()
        unfinished = {p.delivery_id for p in prepared}
        done = asyncio.Event()
        renewer = asyncio.create_task(self._hold(unfinished, done))
        try:
            async with self.sessionmaker() as recorder:
                lanes = [
                    self._lane(queue, recorder, unfinished)
                    for _ in range(min(self.concurrency, max(1, len(prepared))))
                ]
                await asyncio.gather(*lanes)
        finally:
            done.set()  # stopped by an event, not cancelled: it may be mid-query
            await renewer

    async def _hold(self, unfinished: set[int], done: asyncio.Event) -> None:
        """Renew the lease on the batch's unsent rows every third of a lease."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), self.lease / 3)
            if done.is_set():
                return
            if unfinished:
                try:
                    async with self.sessionmaker() as session:
                        await extend_lease(session, sorted(unfinished), lease=self.lease)
                except Exception:  # the lease then runs out; at worst a row is sent twice
                    log.warning("could not extend the lease of %d rows", len(unfinished))

    async def _lane(
        self, queue: asyncio.Queue[Prepared], recorder: AsyncSession, unfinished: set[int]
    ) -> None:
        mailer: Mailer | None = None
        try:
            while not queue.empty():
                item = queue.get_nowait()
                if item.skip is not None:
                    outcome = Outcome(ok=False, skipped=True, error=item.skip)
                elif item.error is not None:
                    outcome = Outcome(ok=False, permanent=True, error=item.error)
                elif item.email is not None:
                    mailer = mailer or make_mailer(self.settings)
                    outcome = await mailer.send(item.email)
                elif item.webhook is not None:
                    assert self._http is not None
                    url, secret, msg_id, body = item.webhook
                    outcome = await webhooks.post(
                        self._http,
                        url=url,
                        secret=secret,
                        msg_id=msg_id,
                        body=body,
                        allow_private=self.settings.webhook_allow_private,
                    )
                else:
                    outcome = Outcome(ok=False, skipped=True, error="nothing to send")
                async with self._record_lock:
                    await record_outcome(recorder, item.delivery_id, outcome, policy=self.policy)
                    await recorder.commit()
                unfinished.discard(item.delivery_id)
        finally:
            if mailer is not None:
                await mailer.close()


async def refusals(
    session: AsyncSession, batch: Batch, deliveries: list[Delivery]
) -> dict[int, str]:
    """Ask the audience rule again just before sending: delivery id -> why it may not go.

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
        subscriber = batch.subscribers.get(delivery.subscriber_id)
        update = batch.updates.get(delivery.update_id or "")
        incident = batch.incidents.get(update.incident_id) if update else None
        if subscriber is None or update is None or incident is None:
            continue  # gone altogether: preparing the message says so
        reason = aud.why_not_send(
            subscriber, update, incident, affected=affected.get(incident.id, set())
        )
        if reason is not None:
            refused[delivery.id] = reason
    return refused
