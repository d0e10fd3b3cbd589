"""Quarantine: subscribers nothing is sent to until a person releases them.

A mail provider that reports a hard bounce or a complaint quarantines the address at once:
sending again would hurt the sender's reputation, and with it every other email. Soft
bounces (a full mailbox, a server away) count, and quarantine once they reach a threshold;
a delivery the provider confirms, or a release, starts the count again. A webhook, Slack or
Teams URL whose deliveries keep failing for good is quarantined alike (`delivery.queue`
asks `failing_url`). The audience rule (`app.audience.is_receiving`) reads `quarantined_at`,
so the fan-out and the worker's check just before sending both skip a quarantined one.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.audit.service import record
from app.lib.clock import utcnow
from app.subscribers.models import Subscriber, SubscriberKind

REASON_MAX = 500


async def quarantine(
    session: AsyncSession, subscriber: Subscriber, *, reason: str, by: str
) -> bool:
    """Stop sending to `subscriber`, saying why; False when it already was quarantined (the
    first reason stays: it is the one a person needs to read)."""
    if subscriber.quarantined_at is not None:
        return False
    subscriber.quarantined_at = utcnow()
    subscriber.quarantine_reason = reason[:REASON_MAX]
    await record(
        session,
        actor=by,
        action="subscriber.quarantine",
        subject_type="subscriber",
        subject_id=subscriber.id,
        detail={"reason": reason[:REASON_MAX]},
    )
    await session.flush()
    return True


async def count_soft_bounce(
    session: AsyncSession, subscriber: Subscriber, *, detail: str, limit: int, by: str
) -> bool:
    """One more soft bounce; quarantines at `limit`. True when this one quarantined it."""
    if subscriber.quarantined_at is not None:
        return False
    subscriber.soft_bounces = (subscriber.soft_bounces or 0) + 1
    await session.flush()
    if subscriber.soft_bounces < limit:
        return False
    reason = f"{subscriber.soft_bounces} soft bounces" + (f" (last: {detail})" if detail else "")
    return await quarantine(session, subscriber, reason=reason, by=by)


async def delivered(session: AsyncSession, subscriber: Subscriber) -> None:
    """The provider says a message reached the address: soft bounces start counting again."""
    if subscriber.soft_bounces:
        subscriber.soft_bounces = 0
        await session.flush()


async def release(session: AsyncSession, *, subscriber: Subscriber, actor: Actor) -> Subscriber:
    """A person lets a quarantined subscriber receive again (an act of managing
    subscribers); its soft bounces start counting again."""
    permissions.require(actor, Act.MANAGE_SUBSCRIBERS)
    if subscriber.quarantined_at is None:
        return subscriber
    reason = subscriber.quarantine_reason
    subscriber.quarantined_at = None
    subscriber.quarantine_reason = None
    subscriber.soft_bounces = 0
    subscriber.updated_at = utcnow()
    await record(
        session,
        actor=actor.name,
        action="subscriber.release",
        subject_type="subscriber",
        subject_id=subscriber.id,
        detail={"was": reason},
    )
    await session.flush()
    return subscriber


async def email_subscribers(session: AsyncSession, address: str) -> list[Subscriber]:
    """Every email subscriber of `address` (the public's and each customer's, followers of
    one incident too) that has not left: a bounce concerns the address, whoever added it."""
    rows = await session.scalars(
        select(Subscriber)
        .where(
            Subscriber.kind == SubscriberKind.EMAIL.value,
            func.lower(Subscriber.address) == address.strip().lower(),
            Subscriber.unsubscribed_at.is_(None),
        )
        .order_by(Subscriber.id)
    )
    return list(rows)


async def failing_url(
    session: AsyncSession, subscriber_id: str, *, failed_in_a_row: int, limit: int
) -> None:
    """Quarantine a URL subscriber whose last `limit` finished deliveries all failed for
    good (`failed_in_a_row` as the outbox counted them)."""
    if limit < 1 or failed_in_a_row < limit:
        return
    subscriber = await session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.kind == SubscriberKind.EMAIL.value:
        return
    await quarantine(
        session,
        subscriber,
        reason=f"webhook failing: the last {failed_in_a_row} deliveries failed for good",
        by="worker",
    )
