"""Subscribers: the team's verbs (add, list, choose components, unsubscribe, disable) and
the rules every flow shares (a valid address, a webhook's secret).

Self-service subscribing is in `subscribing.py`, the CSV import of contacts in `contacts.py`.
"""

from __future__ import annotations

import base64
import secrets

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.audit.service import record
from app.components.service import get_components
from app.customers.service import check_customer_ids
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput, NotFound
from app.lib.languages import check_language
from app.subscribers.kinds import Channels, channel_of
from app.subscribers.models import Subscriber, SubscriberKind, subscriber_components
from app.subscribers.schemas import SubscriberCreate

# Longer than any component id (ids are short random strings): refused unread.
MAX_COMPONENT_ID = 64
# Component ids named in one audit event; the event also holds how many were chosen.
AUDITED_COMPONENTS = 20


def new_webhook_secret() -> str:
    """Standard Webhooks: at least 24 random bytes, base64, prefixed `whsec_`."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


async def component_ids(session: AsyncSession, subscriber_id: str) -> list[str] | None:
    sub = await session.get(Subscriber, subscriber_id)
    if sub is None or sub.all_components:
        return None
    rows = await session.scalars(
        select(subscriber_components.c.component_id).where(
            subscriber_components.c.subscriber_id == subscriber_id
        )
    )
    return list(rows)


def distinct_components(ids: list[str] | None) -> list[str]:
    """The chosen component ids, each once, in the order given.

    A form may repeat a field any number of times; each id counts once, and an id longer
    than any component id is refused before the database is asked (its echo in the refusal
    would otherwise be as long as the attacker likes)."""
    ids = list(dict.fromkeys(ids or []))
    for component_id in ids:
        if len(component_id) > MAX_COMPONENT_ID:
            raise InvalidInput(
                f"components: {component_id[:MAX_COMPONENT_ID]!r}… is not a component id",
                field="components",
            )
    return ids


async def set_components(
    session: AsyncSession, subscriber: Subscriber, ids: list[str] | None
) -> None:
    """Replace the components a subscriber chose; none chosen means all of them.

    Every id must name a component, so a subscriber holds at most as many as exist."""
    ids = distinct_components(ids)
    await get_components(session, ids, field="components")
    await session.execute(
        delete(subscriber_components).where(subscriber_components.c.subscriber_id == subscriber.id)
    )
    subscriber.all_components = not ids
    if ids:
        await session.execute(
            insert(subscriber_components),
            [{"subscriber_id": subscriber.id, "component_id": cid} for cid in ids],
        )


async def get_subscriber(session: AsyncSession, subscriber_id: str) -> Subscriber:
    subscriber = await session.get(Subscriber, subscriber_id, populate_existing=True)
    if subscriber is None:
        raise NotFound(f"no subscriber with id {subscriber_id!r}")
    return subscriber


async def list_subscribers(
    session: AsyncSession,
    *,
    customer_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
    public: bool = False,
    quarantined: bool = False,
) -> list[Subscriber]:
    """Subscribers oldest first: all, one customer's contacts, or (`public`) the public ones;
    only the quarantined ones with `quarantined`."""
    query = select(Subscriber).order_by(Subscriber.created_at, Subscriber.id)
    if customer_id is not None or public:
        query = query.where(audience.reader_is(Subscriber.customer_id, customer_id))
    if quarantined:
        query = query.where(Subscriber.quarantined_at.is_not(None))
    return list((await session.scalars(query.limit(limit).offset(offset))).all())


async def subscribers_by_id(session: AsyncSession, ids: list[str]) -> dict[str, Subscriber]:
    if not ids:
        return {}
    rows = await session.scalars(select(Subscriber).where(Subscriber.id.in_(set(ids))))
    return {s.id: s for s in rows}


async def existing_email(
    session: AsyncSession, address: str, customer_id: str | None
) -> Subscriber | None:
    query = select(Subscriber).where(
        Subscriber.kind == SubscriberKind.EMAIL.value,
        Subscriber.incident_id.is_(None),  # following one incident is not a subscription
        func.lower(Subscriber.address) == address.lower(),
        audience.reader_is(Subscriber.customer_id, customer_id),
    )
    return await session.scalar(query.limit(1))


async def existing_phone(
    session: AsyncSession, number: str, customer_id: str | None
) -> Subscriber | None:
    """This reader's SMS subscription of `number` (in E.164), if any."""
    query = select(Subscriber).where(
        Subscriber.kind == SubscriberKind.SMS.value,
        Subscriber.address == number,
        audience.reader_is(Subscriber.customer_id, customer_id),
    )
    return await session.scalar(query.limit(1))


async def add_subscriber(
    session: AsyncSession,
    *,
    actor: Actor,
    data: SubscriberCreate,
    allow_private: bool,
    channels: Channels,
) -> Subscriber:
    """The team adds a subscriber: confirmed at once (the team vouches for the address);
    its channel (one of `channels`) checks the address or URL."""
    permissions.require(actor, Act.MANAGE_SUBSCRIBERS)
    language = checked_language(data.language)
    customer_id = None
    if data.customer is not None:
        (customer_id,) = await check_customer_ids(session, [data.customer], field="customer")
    now = utcnow()
    channel = channel_of(channels, data.kind)
    subscriber = await channel.validate(
        session,
        address=data.address,
        url=data.url,
        customer_id=customer_id,
        allow_private=allow_private,
    )
    subscriber.customer_id = customer_id
    subscriber.language = language
    subscriber.confirmed_at = now
    subscriber.created_by = actor.name
    session.add(subscriber)
    await session.flush()
    await set_components(session, subscriber, data.components)
    await record(
        session,
        actor=actor.name,
        action="subscriber.create",
        subject_type="subscriber",
        subject_id=subscriber.id,
        detail={"kind": subscriber.kind, "customer": customer_id},
    )
    return subscriber


async def unsubscribe(session: AsyncSession, *, subscriber: Subscriber, actor: Actor) -> Subscriber:
    """The team stops sending to a subscriber (an act of `Act.MANAGE_SUBSCRIBERS`)."""
    permissions.require(actor, Act.MANAGE_SUBSCRIBERS)
    return await _unsubscribe(session, subscriber=subscriber, actor=actor.name)


async def unsubscribe_by_link(session: AsyncSession, *, subscriber: Subscriber) -> Subscriber:
    """The subscriber stops it themselves: the signed link they followed is the proof."""
    return await _unsubscribe(session, subscriber=subscriber, actor="subscriber")


async def _unsubscribe(session: AsyncSession, *, subscriber: Subscriber, actor: str) -> Subscriber:
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = utcnow()
        await record(
            session,
            actor=actor,
            action="subscriber.unsubscribe",
            subject_type="subscriber",
            subject_id=subscriber.id,
        )
        await session.flush()
    return subscriber


async def choose_components(
    session: AsyncSession, *, subscriber: Subscriber, components: list[str], actor: Actor
) -> Subscriber:
    """The team changes what a subscriber hears about (an act of `Act.MANAGE_SUBSCRIBERS`)."""
    permissions.require(actor, Act.MANAGE_SUBSCRIBERS)
    return await choose_own_components(
        session, subscriber=subscriber, components=components, by=actor.name
    )


async def choose_own_components(
    session: AsyncSession, *, subscriber: Subscriber, components: list[str], by: str = "subscriber"
) -> Subscriber:
    """The subscriber chooses, through a signed link or while subscribing themselves."""
    actor = by
    chosen = distinct_components(components)
    await set_components(session, subscriber, chosen)
    subscriber.updated_at = utcnow()
    # Known ids only, each once (set_components refused anything else), and at most a few
    # of them: the audit log says what changed, it is no copy of what a form sent.
    await record(
        session,
        actor=actor,
        action="subscriber.components",
        subject_type="subscriber",
        subject_id=subscriber.id,
        detail={"components": chosen[:AUDITED_COMPONENTS], "count": len(chosen)},
    )
    await session.flush()
    return subscriber


def checked_language(language: str | None) -> str | None:
    """One of the languages messages are written in, or None (the customer's, else the
    site's); anything else is refused with the list of languages."""
    if language is None:
        return None
    try:
        return check_language(language, what="language")
    except ValueError as exc:
        raise InvalidInput(str(exc), field="language") from exc


async def choose_language(
    session: AsyncSession, *, subscriber: Subscriber, language: str | None, actor: Actor
) -> Subscriber:
    """The team changes the language a subscriber's messages are written in (None: their
    customer's, else the site's); an act of `Act.MANAGE_SUBSCRIBERS`."""
    permissions.require(actor, Act.MANAGE_SUBSCRIBERS)
    chosen = checked_language(language)
    if chosen != subscriber.language:
        subscriber.language = chosen
        subscriber.updated_at = utcnow()
        await record(
            session,
            actor=actor.name,
            action="subscriber.language",
            subject_type="subscriber",
            subject_id=subscriber.id,
            detail={"language": chosen},
        )
        await session.flush()
    return subscriber


async def disable(session: AsyncSession, *, subscriber_id: str, reason: str) -> None:
    """Stop sending to a webhook that said it is gone (HTTP 410)."""
    subscriber = await get_subscriber(session, subscriber_id)
    if subscriber.disabled_at is None:
        subscriber.disabled_at = utcnow()
        subscriber.disabled_reason = reason[:500]
        await record(
            session,
            actor="worker",
            action="subscriber.disable",
            subject_type="subscriber",
            subject_id=subscriber.id,
            detail={"reason": reason[:500]},
        )
