"""Following one incident by email, from its page: double opt-in, ends when it resolves.

A follower is a subscriber with `incident_id` set. It is confirmed by the same link as any
address, and the outbox gives it that incident's updates only, up to the one that
resolves it (`app.delivery.outbox`); after that nothing more reaches it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.audit.service import record
from app.lib.emails import clean_email
from app.lib.errors import Conflict
from app.subscribers.models import Subscriber, SubscriberKind
from app.subscribers.subscribing import SELF_SERVICE, ConfirmationMail


async def follow_incident(
    session: AsyncSession,
    *,
    address: str,
    incident_id: str,
    still_open: bool,
    customer_id: str | None,
    client: str,
    mail: ConfirmationMail,
) -> Subscriber:
    """Store an unconfirmed follower of the incident and queue its confirmation email.

    The caller has checked that the reader may see the incident; `still_open` says whether
    there is anything left to follow. An address that already follows it is told so by mail,
    and answered like any other: the page must not tell a stranger who follows what.
    """
    if not still_open:
        raise Conflict("this is over: no more updates will be posted", field="email")
    address = clean_email(address, field="email")
    await mail.check(session, address, client)
    follower = await session.scalar(
        select(Subscriber)
        .where(
            Subscriber.kind == SubscriberKind.EMAIL.value,
            Subscriber.incident_id == incident_id,
            func.lower(Subscriber.address) == address.lower(),
            audience.reader_is(Subscriber.customer_id, customer_id),
            Subscriber.unsubscribed_at.is_(None),
        )
        .limit(1)
    )
    if follower is None:
        follower = Subscriber(
            kind=SubscriberKind.EMAIL.value,
            address=address,
            customer_id=customer_id,
            incident_id=incident_id,
            all_components=True,
            created_by=SELF_SERVICE,
        )
        session.add(follower)
        await session.flush()
    # One who follows it already is told so by mail, and the page answers the same.
    mail.queue(session, follower)
    await record(
        session,
        actor=SELF_SERVICE,
        action="subscriber.follow",
        subject_type="subscriber",
        subject_id=follower.id,
        incident_id=incident_id,
        detail={"customer": customer_id, "already": follower.confirmed_at is not None},
    )
    await session.flush()
    return follower
