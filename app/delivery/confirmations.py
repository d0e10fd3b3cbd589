"""The confirmation email of self-service subscribing, as the subscribers package asks for it.

`app.subscribers.subscribing` names what it needs (`ConfirmationMail`); this is the
outbox's answer, handed to the subscribe pages by `create_app`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.rates import hit
from app.delivery.models import Delivery, Message
from app.delivery.outbox import confirmation_delivery
from app.delivery.wakeup import outbox_written
from app.lib.clock import utcnow
from app.subscribers.models import Subscriber
from app.subscribers.subscribing import TooManyRequests


class ConfirmationOutbox:
    """Confirmation emails through the outbox, a few per address and per client.

    Per client and per address, both counted in the database (shared by every process):
    the subscribe form cannot be used to flood an inbox, and a burst of concurrent requests
    from one client gets at most `per_client` through (the count is one atomic upsert).
    """

    def __init__(self, *, per_address: int = 3, per_client: int = 10, window: float = 3600) -> None:
        self.per_address = per_address
        self.per_client = per_client
        self.window = window

    async def check(
        self, session: AsyncSession, address: str, client: str, *, field: str = "email"
    ) -> None:
        if await hit(session, "subscribe-client", client, window=self.window) > self.per_client:
            raise TooManyRequests("too many subscriptions from here; try again later")
        since = utcnow() - timedelta(seconds=self.window)
        recent = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(
                Delivery.message == Message.CONFIRMATION.value,
                Delivery.created_at >= since,
                or_(
                    func.lower(Subscriber.address) == address.lower(),
                    Subscriber.url == address,
                ),
            )
        )
        if (recent or 0) >= self.per_address:
            raise TooManyRequests(
                "a confirmation was sent there a moment ago; check your inbox or your "
                "endpoint's log",
                field=field,
            )

    def queue(self, session: AsyncSession, subscriber: Subscriber) -> None:
        session.add(confirmation_delivery(subscriber))
        outbox_written(session)
