"""The confirmation email of self-service subscribing, as the subscribers package asks for it.

`app.subscribers.subscribing` names what it needs (`ConfirmationMail`); this is the
outbox's answer, handed to the subscribe pages by `create_app`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.rates import hit
from app.delivery.models import Delivery, Message
from app.delivery.outbox import confirmation_delivery
from app.delivery.wakeup import outbox_written
from app.lib.clock import utcnow
from app.lib.emails import email_domain, mailbox
from app.subscribers.models import Subscriber
from app.subscribers.subscribing import TooManyRequests


class ConfirmationOutbox:
    """Confirmation emails through the outbox, a few per mailbox, domain and client.

    Per client, per mailbox (an address without its `+tag`, in lower case) and per domain,
    all counted in the database (shared by every process): the subscribe form cannot be used
    to flood an inbox, `+tags` do not multiply one inbox's allowance, a catch-all domain
    cannot be flooded through made-up names, and a burst of concurrent requests from one
    client gets at most `per_client` through (the count is one atomic upsert). A request
    refused later on (a bad component) is rolled back with its counts.

    An address that is already subscribed is counted like any other and gets a mail too
    (that it is subscribed, with its link to manage it): the answer to a stranger is the
    same either way, so the form does not tell who is subscribed.
    """

    def __init__(
        self,
        *,
        per_address: int = 3,
        per_client: int = 10,
        per_domain: int = 50,
        window: float = 3600,
    ) -> None:
        self.per_address = per_address
        self.per_client = per_client
        self.per_domain = per_domain
        self.window = window

    async def check(
        self, session: AsyncSession, address: str, client: str, *, field: str = "email"
    ) -> None:
        if await hit(session, "subscribe-client", client, window=self.window) > self.per_client:
            raise TooManyRequests("too many subscriptions from here; try again later")
        if field == "email":
            await self._check_mailbox(session, address)
        elif field == "phone":
            # Each code is an SMS we pay for and a phone we wake: a few per number.
            texts = await hit(session, "subscribe-phone", address, window=self.window)
            if texts > self.per_address:
                raise TooManyRequests(
                    "a code was sent to this number a moment ago; check your messages",
                    field="phone",
                )
        else:
            await self._check_url(session, address, field)

    async def _check_mailbox(self, session: AsyncSession, address: str) -> None:
        box = await hit(session, "subscribe-mailbox", mailbox(address), window=self.window)
        if box > self.per_address:
            raise TooManyRequests(
                "a confirmation was sent there a moment ago; check your inbox", field="email"
            )
        domain = email_domain(address)
        if await hit(session, "subscribe-domain", domain, window=self.window) > self.per_domain:
            raise TooManyRequests(
                f"too many subscriptions for addresses at {domain} just now; try again later",
                field="email",
            )

    async def _check_url(self, session: AsyncSession, url: str, field: str) -> None:
        since = utcnow() - timedelta(seconds=self.window)
        recent = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(
                Delivery.message == Message.CONFIRMATION.value,
                Delivery.created_at >= since,
                Subscriber.url == url,
            )
        )
        if (recent or 0) >= self.per_address:
            raise TooManyRequests(
                "a confirmation was sent there a moment ago; check your endpoint's log",
                field=field,
            )

    def queue(self, session: AsyncSession, subscriber: Subscriber) -> None:
        session.add(confirmation_delivery(subscriber))
        outbox_written(session)
