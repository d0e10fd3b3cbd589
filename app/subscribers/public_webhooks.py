"""Webhook, Slack and Teams subscriptions from the public subscribe page, each confirmed by
its first delivery.

Anyone may give a URL, as Statuspage allows. The URL is checked like the team's (no
private, loopback or link-local address), a signing secret is made and shown once, and
the first delivery is a signed confirmation request: the subscription starts when the
endpoint accepts it with a 2xx, and an endpoint that never does never receives anything
else. The worker sends it (`app.delivery`) and calls `confirm_on_delivery` on success.
A Slack or Teams URL works the same way, without a secret (neither checks signatures; the
URL is the secret): its first delivery is a card saying the channel is subscribed.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.audit.service import record
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput
from app.subscribers.kinds import Channels, channel_of
from app.subscribers.models import Subscriber
from app.subscribers.service import choose_own_components
from app.subscribers.subscribing import SELF_SERVICE, ConfirmationMail


async def subscribe_webhook(
    session: AsyncSession,
    *,
    url: str,
    customer_id: str | None,
    components: list[str],
    client: str,
    mail: ConfirmationMail,
    allow_private: bool,
    kind: str,
    channels: Channels,
    language: str | None = None,
) -> tuple[Subscriber, str | None]:
    """Store an unconfirmed webhook (or Slack or Teams) subscriber and queue its first,
    confirming delivery.

    Returns the subscriber and a webhook's signing secret, to show once; None for a chat
    URL, and for a URL already subscribed and confirmed (nothing is sent and nothing said
    about it).
    """
    channel = channel_of(channels, kind)
    if channel.target != "url":
        raise InvalidInput(f"a {channel.label} subscriber gives no URL", field="kind")
    # The channel checks the URL (and makes a webhook's new signing secret).
    checked = await channel.validate(
        session, address=None, url=url, customer_id=customer_id, allow_private=allow_private
    )
    url = checked.url or ""
    await mail.check(session, url, client, field="url")
    subscriber = await session.scalar(
        select(Subscriber)
        .where(
            Subscriber.kind == kind,
            Subscriber.url == url,
            Subscriber.incident_id.is_(None),
            audience.reader_is(Subscriber.customer_id, customer_id),
            Subscriber.unsubscribed_at.is_(None),
        )
        .limit(1)
    )
    if subscriber is not None and subscriber.confirmed_at is not None:
        return subscriber, None
    if subscriber is None:
        subscriber = Subscriber(
            kind=kind,
            url=url,
            customer_id=customer_id,
            created_by=SELF_SERVICE,
        )
        session.add(subscriber)
    # The language of the page they subscribed on, or the one they chose on its form.
    subscriber.language = language
    # A webhook's secret is new each time: whoever asks again gets a key the old one does
    # not match (a chat URL has none: the URL itself is the secret).
    subscriber.secret = checked.secret
    await session.flush()
    await choose_own_components(
        session, subscriber=subscriber, components=components, by=SELF_SERVICE
    )
    mail.queue(session, subscriber)
    await record(
        session,
        actor=SELF_SERVICE,
        action="subscriber.subscribe",
        subject_type="subscriber",
        subject_id=subscriber.id,
        detail={"customer": customer_id, "kind": kind},
    )
    await session.flush()
    return subscriber, subscriber.secret


async def confirm_on_delivery(session: AsyncSession, subscriber_id: str) -> None:
    """The endpoint accepted its signed confirmation request: the subscription starts.

    One conditional UPDATE first: on SQLite a transaction that read before it writes can be
    refused at once when the worker's recorder commits in between; a write first waits its
    turn instead. It also makes a repeat (after a crash) confirm nothing twice.
    """
    started = await session.execute(
        update(Subscriber)
        .where(
            Subscriber.id == subscriber_id,
            Subscriber.confirmed_at.is_(None),
            Subscriber.unsubscribed_at.is_(None),
        )
        .values(confirmed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if started.rowcount:  # type: ignore[attr-defined]
        await record(
            session,
            actor="worker",
            action="subscriber.confirm",
            subject_type="subscriber",
            subject_id=subscriber_id,
            detail={"by": "first delivery accepted"},
        )
        await session.flush()
