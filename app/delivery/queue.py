"""Rules of the outbox once written: claiming due rows, recording results, retries.

A row is claimed by pushing its `next_attempt_at` one lease ahead in a single statement
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers never share a row; SQLite serialises
writers, and runs one worker). A worker that dies leaves its rows to come due again when
the lease runs out; a row is `sent` only once the peer accepted it, so a crash loses nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.audit.service import record
from app.delivery.models import Delivery, DeliveryState
from app.delivery.wakeup import outbox_written
from app.incidents.models import Incident, Update
from app.lib.clock import utcnow
from app.lib.errors import NotFound
from app.subscribers.models import Subscriber, SubscriberKind
from app.subscribers.quarantine import failing_url
from app.subscribers.service import disable, subscribers_by_id

MAX_RETRY_AFTER = 24 * 3600.0
DUE_STATES = (DeliveryState.PENDING.value, DeliveryState.RETRYING.value)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with jitter: about base, 2*base, 4*base ... up to cap."""

    base: float = 30.0
    cap: float = 6 * 3600.0
    max_attempts: int = 10
    # A URL subscriber (webhook, Slack, Teams) whose last this many deliveries all failed
    # for good is quarantined (0: never); each of them already took every retry.
    quarantine_after: int = 5

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        wait = random.uniform(ceiling / 2, ceiling)
        if retry_after is not None:  # the peer's word counts, within reason (a day)
            wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
        return wait


@dataclass(frozen=True)
class Outcome:
    """What one send attempt came to."""

    ok: bool
    error: str | None = None
    permanent: bool = False  # no retry can help (SMTP 5xx for this address, webhook 4xx)
    retry_after: float | None = None  # seconds the peer asked us to wait
    disable: bool = False  # the webhook said it is gone (410)
    skipped: bool = False  # nothing to send any more (unsubscribed since)


async def claim(
    session: AsyncSession, *, limit: int, lease: float, now: datetime | None = None
) -> list[int]:
    """Take up to `limit` due rows for `lease` seconds; commits so other workers see it."""
    now = now or utcnow()
    due = (
        select(Delivery.id)
        .where(Delivery.state.in_(DUE_STATES), Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=now + timedelta(seconds=lease))
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(result.scalars().all())
    await session.commit()
    return ids


async def due_now(session: AsyncSession, now: datetime | None = None) -> bool:
    """Whether any row is due: a cheap read (the due index), for a worker that cannot be
    told of new rows and looks instead."""
    now = now or utcnow()
    found = await session.scalar(
        select(Delivery.id)
        .where(Delivery.state.in_(DUE_STATES), Delivery.next_attempt_at <= now)
        .limit(1)
    )
    return found is not None


async def extend_lease(session: AsyncSession, ids: list[int], *, lease: float) -> None:
    """Keep holding rows still being sent (a slow peer must not let another worker in)."""
    table = Delivery.__table__
    await session.execute(
        update(table)
        .where(table.c.id.in_(ids), table.c.state.in_(DUE_STATES))
        .values(next_attempt_at=utcnow() + timedelta(seconds=lease))
    )
    await session.commit()


async def record_outcome(
    session: AsyncSession,
    delivery_id: int,
    outcome: Outcome,
    *,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> str:
    """Write one attempt's result; the caller commits. Returns the new state."""
    now = now or utcnow()
    if outcome.ok and not outcome.disable:
        # The common case in one statement: a fan-out records thousands of these.
        table = Delivery.__table__  # Core, not ORM: this runs once per message sent
        await session.execute(
            update(table)
            .where(table.c.id == delivery_id)
            .values(
                state=DeliveryState.SENT.value,
                sent_at=now,
                attempts=table.c.attempts + 1,
                last_error=None,
            )
        )
        return DeliveryState.SENT.value
    delivery = await session.get(Delivery, delivery_id, populate_existing=True)
    if delivery is None:  # its update or subscriber was deleted meanwhile
        return DeliveryState.SKIPPED.value
    if outcome.skipped:
        delivery.state = DeliveryState.SKIPPED.value
        delivery.last_error = outcome.error
        return delivery.state
    delivery.attempts += 1
    if outcome.ok:
        delivery.state = DeliveryState.SENT.value
        delivery.sent_at = now
        delivery.last_error = None
    elif outcome.permanent or delivery.attempts >= policy.max_attempts:
        delivery.state = DeliveryState.FAILED.value
        delivery.last_error = (outcome.error or "failed")[:2000]
    else:
        delivery.state = DeliveryState.RETRYING.value
        delivery.last_error = (outcome.error or "failed")[:2000]
        wait = policy.delay(delivery.attempts, outcome.retry_after)
        delivery.next_attempt_at = now + timedelta(seconds=wait)
    if outcome.disable and delivery.subscriber_id:
        await disable(session, subscriber_id=delivery.subscriber_id, reason=outcome.error or "")
    elif delivery.state == DeliveryState.FAILED.value and delivery.subscriber_id:
        await _quarantine_if_failing(session, delivery, policy=policy)
    return delivery.state


async def _quarantine_if_failing(
    session: AsyncSession, delivery: Delivery, *, policy: RetryPolicy
) -> None:
    """Counted only when a delivery fails for good, so sending costs nothing more. Email is
    judged by its bounces instead: a relay refusing every message must not quarantine all."""
    if policy.quarantine_after < 1 or delivery.channel == SubscriberKind.EMAIL.value:
        return
    await session.flush()
    last = await session.scalars(
        select(Delivery.state)
        .where(
            Delivery.subscriber_id == delivery.subscriber_id,
            Delivery.state.in_((DeliveryState.SENT.value, DeliveryState.FAILED.value)),
        )
        .order_by(Delivery.id.desc())
        .limit(policy.quarantine_after)
    )
    states = list(last)
    failed = len(states) if all(s == DeliveryState.FAILED.value for s in states) else 0
    await failing_url(
        session, delivery.subscriber_id or "", failed_in_a_row=failed, limit=policy.quarantine_after
    )


_deliveries = Delivery.__table__
# Built once: a fan-out writes this for every group of results.
_MARK_SENT = (
    update(_deliveries)
    .where(_deliveries.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        state=DeliveryState.SENT.value,
        sent_at=bindparam("now"),
        attempts=_deliveries.c.attempts + 1,
        last_error=None,
    )
)


async def record_outcomes(
    session: AsyncSession,
    items: list[tuple[int, Outcome]],
    *,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> None:
    """Write many attempts' results; the caller commits once for all of them. Sent rows,
    the common case, are one statement for the whole group."""
    now = now or utcnow()
    sent = [i for i, outcome in items if outcome.ok and not outcome.disable]
    for start in range(0, len(sent), 500):  # bounded IN lists
        await session.execute(_MARK_SENT, {"ids": sent[start : start + 500], "now": now})
    for delivery_id, outcome in items:
        if not (outcome.ok and not outcome.disable):
            await record_outcome(session, delivery_id, outcome, policy=policy, now=now)


async def _get_update(
    session: AsyncSession, update_id: str, *, with_incident: bool = False
) -> Update:
    options = [selectinload(Update.incident)] if with_incident else []
    update = await session.get(Update, update_id, options=options)
    if update is None:
        raise NotFound(f"no update with id {update_id!r}")
    return update


async def update_deliveries(
    session: AsyncSession, update_id: str
) -> tuple[dict[str, int], list[Delivery]]:
    """An update's deliveries: how many in each state, and the failed ones."""
    await _get_update(session, update_id)
    counts = {state.value: 0 for state in DeliveryState}
    rows = await session.execute(
        select(Delivery.state, func.count())
        .where(Delivery.update_id == update_id)
        .group_by(Delivery.state)
    )
    for state, count in rows:
        counts[state] = count
    return counts, await update_deliveries_in(session, update_id, DeliveryState.FAILED)


async def update_deliveries_in(
    session: AsyncSession, update_id: str, state: DeliveryState, *, limit: int = 500
) -> list[Delivery]:
    """An update's deliveries in one state (failed ones, or those skipped and why)."""
    rows = await session.scalars(
        select(Delivery)
        .where(Delivery.update_id == update_id, Delivery.state == state.value)
        .order_by(Delivery.id)
        .limit(limit)
    )
    return list(rows)


@dataclass(frozen=True)
class UpdateReport:
    """What the team reads about one update's deliveries."""

    update: Update
    incident: Incident
    counts: dict[str, int]
    failures: list[Delivery]
    skipped: list[Delivery]  # refused by the audience rule at send time, with why
    recipients: dict[str, Subscriber]  # the failed and skipped subscribers, by id


async def update_report(session: AsyncSession, update_id: str) -> UpdateReport:
    """An update's deliveries with their update, incident, and failed or skipped recipients."""
    update = await _get_update(session, update_id, with_incident=True)
    counts, failures = await update_deliveries(session, update_id)
    skipped = await update_deliveries_in(session, update_id, DeliveryState.SKIPPED)
    recipients = await subscribers_by_id(
        session, [d.subscriber_id for d in (*failures, *skipped) if d.subscriber_id]
    )
    return UpdateReport(update, update.incident, counts, failures, skipped, recipients)


async def incident_delivery_counts(
    session: AsyncSession, incident_id: str
) -> dict[str, dict[str, int]]:
    """Per update of an incident, how many of its deliveries are in each state."""
    rows = await session.execute(
        select(Delivery.update_id, Delivery.state, func.count())
        .join(Update, Update.id == Delivery.update_id)
        .where(Update.incident_id == incident_id)
        .group_by(Delivery.update_id, Delivery.state)
    )
    counts: dict[str, dict[str, int]] = {}
    for update_id, state, count in rows:
        counts.setdefault(update_id, {s.value: 0 for s in DeliveryState})[state] = count
    return counts


async def subscriber_history(
    session: AsyncSession, subscriber_id: str, *, limit: int = 200
) -> list[Delivery]:
    rows = await session.scalars(
        select(Delivery)
        .where(Delivery.subscriber_id == subscriber_id)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    return list(rows)


async def retry_failed(session: AsyncSession, *, actor: Actor, update_id: str) -> int:
    """Put an update's failed deliveries back in the queue, due now."""
    permissions.require(actor, Act.RETRY_DELIVERIES)
    await _get_update(session, update_id)
    result = await session.execute(
        update(Delivery)
        .where(Delivery.update_id == update_id, Delivery.state == DeliveryState.FAILED.value)
        .values(state=DeliveryState.RETRYING.value, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        outbox_written(session)
    await record(
        session,
        actor=actor.name,
        action="delivery.retry",
        subject_type="update",
        subject_id=update_id,
        detail={"deliveries": count},
    )
    return count
