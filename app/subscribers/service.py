"""Rules for subscribers: who may subscribe, confirmation, preferences, unsubscribe."""

from __future__ import annotations

import base64
import csv
import io
import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.audit.service import record
from app.components.models import Component
from app.components.service import get_components
from app.customers.service import check_customer_ids
from app.delivery.models import Delivery, Message
from app.delivery.outbox import confirmation_delivery
from app.lib import netguard
from app.lib.clock import utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound
from app.lib.ids import new_id
from app.lib.ratelimit import RateLimiter
from app.subscribers import tokens
from app.subscribers.models import Subscriber, SubscriberKind, subscriber_components
from app.subscribers.schemas import SubscriberCreate

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
SELF_SERVICE = "self-service"


class TooManyRequests(Conflict):
    status_code = 429


def clean_email(address: str | None, field: str = "address") -> str:
    address = (address or "").strip()
    if not address or len(address) > 320 or not _EMAIL.match(address):
        raise InvalidInput(f"{field}: must be an email address like ops@example.com", field=field)
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


async def check_webhook_url(url: str | None, *, allow_private: bool, field: str = "url") -> str:
    """An http(s) URL whose host resolves only to public addresses (unless allowed)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > 2000:
        raise InvalidInput(f"{field} must be an http(s) URL", field=field)
    return await netguard.check_url(url, allow_private=allow_private, field=field)


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


async def _set_components(
    session: AsyncSession, subscriber: Subscriber, ids: list[str] | None
) -> None:
    ids = list(dict.fromkeys(ids or []))
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
) -> list[Subscriber]:
    """Subscribers oldest first: all, one customer's contacts, or (`public`) the public ones."""
    query = select(Subscriber).order_by(Subscriber.created_at, Subscriber.id)
    if customer_id is not None:
        query = query.where(Subscriber.customer_id == customer_id)
    elif public:
        query = query.where(Subscriber.customer_id.is_(None))
    return list((await session.scalars(query.limit(limit).offset(offset))).all())


async def subscribers_by_id(session: AsyncSession, ids: list[str]) -> dict[str, Subscriber]:
    if not ids:
        return {}
    rows = await session.scalars(select(Subscriber).where(Subscriber.id.in_(set(ids))))
    return {s.id: s for s in rows}


async def _existing_email(
    session: AsyncSession, address: str, customer_id: str | None
) -> Subscriber | None:
    query = select(Subscriber).where(
        Subscriber.kind == SubscriberKind.EMAIL.value,
        func.lower(Subscriber.address) == address.lower(),
        Subscriber.customer_id.is_(None)
        if customer_id is None
        else Subscriber.customer_id == customer_id,
    )
    return await session.scalar(query.limit(1))


async def add_subscriber(
    session: AsyncSession, *, actor: Actor, data: SubscriberCreate, allow_private: bool
) -> Subscriber:
    """The team adds a subscriber: confirmed at once (the team vouches for the address)."""
    customer_id = None
    if data.customer is not None:
        (customer_id,) = await check_customer_ids(session, [data.customer], field="customer")
    now = utcnow()
    if data.kind == SubscriberKind.EMAIL:
        address = clean_email(data.address)
        existing = await _existing_email(session, address, customer_id)
        if existing is not None and existing.unsubscribed_at is None:
            raise Conflict(f"{address} is already subscribed", field="address")
        subscriber = Subscriber(kind=SubscriberKind.EMAIL.value, address=address)
    elif data.kind == SubscriberKind.WEBHOOK:
        url = await check_webhook_url(data.url, allow_private=allow_private)
        subscriber = Subscriber(kind=SubscriberKind.WEBHOOK.value, url=url)
        subscriber.secret = new_webhook_secret()
    else:
        raise InvalidInput("kind must be email or webhook", field="kind")
    subscriber.customer_id = customer_id
    subscriber.confirmed_at = now
    subscriber.created_by = actor.name
    session.add(subscriber)
    await session.flush()
    await _set_components(session, subscriber, data.components)
    await record(
        session,
        actor=actor.name,
        action="subscriber.create",
        subject_type="subscriber",
        subject_id=subscriber.id,
        detail={"kind": subscriber.kind, "customer": customer_id},
    )
    return subscriber


async def import_contacts(
    session: AsyncSession, *, actor: Actor, csv_text: str, customer_id: str | None
) -> tuple[int, int, list[str]]:
    """Email contacts from CSV (`email[,components]`, components separated by spaces).

    Confirmed on creation; addresses already subscribed are skipped; bad lines are
    reported by number and do not stop the others.
    """
    if customer_id is not None:
        await check_customer_ids(session, [customer_id], field="customer")
    created = skipped = 0
    errors: list[str] = []
    seen: set[str] = set()
    existing = {
        (a or "").lower()
        for a in await session.scalars(
            select(Subscriber.address).where(
                Subscriber.kind == SubscriberKind.EMAIL.value,
                Subscriber.unsubscribed_at.is_(None),
                Subscriber.customer_id.is_(None)
                if customer_id is None
                else Subscriber.customer_id == customer_id,
            )
        )
    }
    known_components = set(await session.scalars(select(Component.id)))
    now = utcnow()
    rows: list[dict[str, object]] = []
    links: list[dict[str, str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(csv_text)), start=1):
        if not row or not row[0].strip() or (number == 1 and row[0].strip().lower() == "email"):
            continue
        try:
            address = clean_email(row[0], field=f"line {number}")
        except InvalidInput as exc:
            errors.append(exc.message)
            continue
        chosen = row[1].split() if len(row) > 1 else []
        unknown = [c for c in chosen if c not in known_components]
        if unknown:
            errors.append(f"line {number}: no component with id {unknown[0]!r}")
            continue
        if address.lower() in existing or address.lower() in seen:
            skipped += 1
            continue
        seen.add(address.lower())
        subscriber_id = new_id()
        rows.append(
            {
                "id": subscriber_id,
                "kind": SubscriberKind.EMAIL.value,
                "address": address,
                "customer_id": customer_id,
                "all_components": not chosen,
                "confirmed_at": now,
                "created_by": actor.name,
                "created_at": now,
                "updated_at": now,
            }
        )
        links.extend({"subscriber_id": subscriber_id, "component_id": c} for c in set(chosen))
        created += 1
    if rows:
        await session.execute(insert(Subscriber), rows)
    if links:
        await session.execute(insert(subscriber_components), links)
    await record(
        session,
        actor=actor.name,
        action="subscriber.import",
        subject_type="customer" if customer_id else "page",
        subject_id=customer_id or "public",
        detail={"created": created, "skipped": skipped, "errors": len(errors)},
    )
    return created, skipped, errors


class SubscribeLimits:
    """Per client (in this process) and per address (in the database, across processes):
    the form cannot be used to flood an inbox."""

    def __init__(self, *, per_address: int = 3, per_client: int = 10, window: float = 3600) -> None:
        self.per_address = per_address
        self.window = window
        self.client = RateLimiter(per_client, window)

    async def check(self, session: AsyncSession, address: str, client: str) -> None:
        if not self.client.allow(client):
            raise TooManyRequests("too many subscriptions from here; try again later")
        since = utcnow() - timedelta(seconds=self.window)
        recent = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(
                Delivery.message == Message.CONFIRMATION.value,
                Delivery.created_at >= since,
                func.lower(Subscriber.address) == address.lower(),
            )
        )
        if (recent or 0) >= self.per_address:
            raise TooManyRequests(
                "a confirmation was sent to this address a moment ago; check your inbox",
                field="email",
            )


async def subscribe(
    session: AsyncSession,
    *,
    address: str,
    customer_id: str | None,
    components: list[str],
    client: str,
    limits: SubscribeLimits,
) -> Subscriber:
    """Self-service: store an unconfirmed subscriber and queue the confirmation email."""
    address = clean_email(address, field="email")
    await limits.check(session, address, client)
    subscriber = await _existing_email(session, address, customer_id)
    if subscriber is None or subscriber.unsubscribed_at is not None:
        subscriber = Subscriber(
            kind=SubscriberKind.EMAIL.value,
            address=address,
            customer_id=customer_id,
            created_by=SELF_SERVICE,
        )
        session.add(subscriber)
        await session.flush()
    if subscriber.confirmed_at is None:
        await _set_components(session, subscriber, components)
        session.add(confirmation_delivery(subscriber))
        await record(
            session,
            actor=SELF_SERVICE,
            action="subscriber.subscribe",
            subject_type="subscriber",
            subject_id=subscriber.id,
            detail={"customer": customer_id},
        )
    # An address already confirmed gets no new mail: saying so would tell a stranger who
    # is subscribed; its owner manages it from the link in any message.
    await session.flush()
    return subscriber


async def confirm(session: AsyncSession, *, secret: str, token: str) -> Subscriber:
    subscriber_id = tokens.verify(secret, tokens.CONFIRM, token)
    subscriber = await get_subscriber(session, subscriber_id)
    if subscriber.unsubscribed_at is not None:
        raise InvalidInput("this subscription was cancelled; subscribe again", field="token")
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = utcnow()
        await record(
            session,
            actor=SELF_SERVICE,
            action="subscriber.confirm",
            subject_type="subscriber",
            subject_id=subscriber.id,
        )
        await session.flush()
    return subscriber


async def from_manage_token(session: AsyncSession, *, secret: str, token: str) -> Subscriber:
    return await get_subscriber(session, tokens.verify(secret, tokens.MANAGE, token))


async def unsubscribe(session: AsyncSession, *, subscriber: Subscriber, actor: str) -> Subscriber:
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
    session: AsyncSession, *, subscriber: Subscriber, components: list[str], actor: str
) -> Subscriber:
    await _set_components(session, subscriber, components)
    subscriber.updated_at = utcnow()
    await record(
        session,
        actor=actor,
        action="subscriber.components",
        subject_type="subscriber",
        subject_id=subscriber.id,
        detail={"components": components},
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
