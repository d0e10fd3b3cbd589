"""Email over SMTP (or printed, with the console backend): the worker's few connections,
each kept for many messages, and each message bounded by the deadline as a whole (waiting
for a free connection included)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.delivery.channels.base import Channel, Shared
from app.delivery.email import OutgoingEmail
from app.delivery.queue import Outcome
from app.lib.emails import clean_email
from app.lib.errors import Conflict
from app.subscribers.models import Subscriber, SubscriberKind
from app.subscribers.service import existing_email

if TYPE_CHECKING:
    from app.delivery.messages import Batch
    from app.delivery.models import Delivery
    from app.delivery.news import News


class EmailSender:
    def __init__(self, shared: Shared) -> None:
        self.mailers = shared.mailers

    async def send(self, message: OutgoingEmail, *, deadline: float) -> Outcome:
        try:
            async with asyncio.timeout(deadline):
                return await self.mailers.send(message)
        except TimeoutError:
            return Outcome(ok=False, error=f"SMTP: no answer within {deadline:g} s")

    async def close(self) -> None:
        return None  # the connections are the worker's, shared by every lane


async def validate(
    session: AsyncSession,
    *,
    address: str | None,
    url: str | None,
    customer_id: str | None,
    allow_private: bool,
) -> Subscriber:
    """A well-formed address that this reader has not subscribed already."""
    address = clean_email(address)
    existing = await existing_email(session, address, customer_id)
    if existing is not None and existing.unsubscribed_at is None:
        raise Conflict(f"{address} is already subscribed", field="address")
    return Subscriber(kind=SubscriberKind.EMAIL.value, address=address)


async def update_message(
    batch: Batch, delivery: Delivery, subscriber: Subscriber, news: News
) -> OutgoingEmail:
    return await batch.update_email(delivery, subscriber, news)


async def confirmation(batch: Batch, delivery: Delivery, subscriber: Subscriber) -> OutgoingEmail:
    return batch.confirmation(delivery, subscriber)


CHANNEL = Channel[OutgoingEmail](
    kind=SubscriberKind.EMAIL.value,
    label="email",
    noun="email",
    target="address",
    validate=validate,
    update_message=update_message,
    confirmation=confirmation,
    open=EmailSender,
)
