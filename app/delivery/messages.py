"""Building each outbox row's message: what a batch needs, read once, then one message per row.

Emails come from `templates/email/<message>/`; webhook bodies are the Statuspage shapes of
`app.public.statuspage_shapes`, cut for the subscriber's audience by `app.audience`.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app import audience as aud
from app.accounts.models import User
from app.components.models import Component
from app.components.status import ComponentStatus
from app.customers.models import Customer
from app.db.changes import read_version
from app.delivery import cards, webhooks
from app.delivery.email import (
    EmailParts,
    OutgoingEmail,
    assemble,
    build_message,
    message_domain,
    render_parts,
)
from app.delivery.email_content import EmailComponent, update_email_context
from app.delivery.models import ComponentChange, Delivery, Message
from app.incidents.models import Incident, Update
from app.incidents.status import status_label
from app.lib.clock import iso_z, utcnow
from app.lib.templating import Renderer
from app.public import statuspage_shapes as shapes
from app.public.snapshot import Snapshot, load_snapshot
from app.public.views import IncidentView, StatusPage, status_page
from app.settings import Settings, page_id_for
from app.subscribers import tokens
from app.subscribers.models import CHAT_KINDS, Subscriber, SubscriberKind


@dataclass(frozen=True)
class WebhookMessage:
    url: str
    secret: str
    msg_id: str  # the webhook-id, the same on every attempt
    body: bytes


@dataclass(frozen=True)
class ChatMessage:
    """A Slack or Teams card, ready to POST."""

    url: str
    body: bytes


@dataclass
class Prepared:
    """One row's message and the channel it leaves by, or the reason it will not be sent."""

    delivery_id: int
    channel: str | None = None  # a name in `app.delivery.channels`
    message: OutgoingEmail | WebhookMessage | ChatMessage | None = None
    skip: str | None = None
    error: str | None = None  # the message could not be built: failed for good
    confirms: str | None = None  # a subscriber that this webhook, once accepted, confirms


def update_email_preview(
    renderer: Renderer, settings: Settings
) -> Callable[[Incident, Update, Customer | None], tuple[str, str]]:
    """(subject, text body) of an update's email, as the worker builds it, for reviewers."""

    def preview(incident: Incident, update: Update, customer: Customer | None) -> tuple[str, str]:
        sample = f"{settings.base_url}/subscription/<your link>"
        context = update_email_context(
            settings,
            incident=incident,
            update=update,
            customer=customer,
            manage_url=sample,
            unsubscribe_url=sample,
        )
        folder = f"email/{Message.INCIDENT_UPDATE.value}"
        subject = " ".join(renderer.render(f"{folder}/subject.txt", **context).split())
        return subject, renderer.render(f"{folder}/body.txt", **context)

    return preview


class CommonParts:
    """An update's email as every reader of one audience gets it, rendered once.

    What differs between two readers of the same audience is their subscription link (and
    the envelope and headers, built per reader anyway): the words are rendered with a
    stand-in for the link's token, kept, and each reader's message swaps in their token.
    The key holds everything the words are made of, so an edit or a component changing
    status renders afresh; the oldest renderings are dropped past `limit`.
    """

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self.renders = 0  # renderings made (the rest were reused)
        # Random, so that no words anyone writes can contain it by chance or by design.
        self.mark = f"tidings-reader-{secrets.token_hex(12)}"
        self._parts: OrderedDict[Hashable, EmailParts] = OrderedDict()

    def get(self, key: Hashable, render: Callable[[], EmailParts]) -> EmailParts:
        parts = self._parts.get(key)
        if parts is not None:
            self._parts.move_to_end(key)
            return parts
        parts = self._parts[key] = render()
        self.renders += 1
        if len(self._parts) > self.limit:
            self._parts.popitem(last=False)
        return parts


class Snapshots:
    """The page's state for messages, shared by a worker's batches: read again when the
    state version moves, and at least every `max_age` seconds (a scheduled window starts
    by the clock, with no change to announce it)."""

    def __init__(self, max_age: float = 5.0) -> None:
        self.max_age = max_age
        self._held: tuple[int, float, Snapshot] | None = None

    async def get(self, session: AsyncSession) -> Snapshot:
        version = await read_version(session)
        now = time.monotonic()
        if self._held is not None:
            held_version, read_at, snapshot = self._held
            if held_version == version and now - read_at < self.max_age:
                return snapshot
        snapshot = await load_snapshot(session, version=version)
        self._held = (version, now, snapshot)
        return snapshot


class Batch:
    """What one batch of deliveries needs, read once: subscribers, updates, incidents."""

    def __init__(
        self,
        settings: Settings,
        renderer: Renderer,
        session: AsyncSession,
        common: CommonParts | None = None,
        snapshots: Snapshots | None = None,
    ) -> None:
        self.settings = settings
        self.renderer = renderer
        self.session = session
        self.common = common or CommonParts()
        self.snapshots = snapshots or Snapshots()
        self.subscribers: dict[str, Subscriber] = {}
        self.users: dict[str, User] = {}  # the desk users of author notices
        self.customers: dict[str, Customer] = {}
        self.updates: dict[str, Update] = {}
        self.incidents: dict[str, Incident] = {}
        self.changes: dict[str, ComponentChange] = {}
        self.components: dict[str, Component] = {}
        self._snapshot: Snapshot | None = None
        self._pages: dict[str | None, StatusPage] = {}
        self._components: dict[tuple[str | None, str], list[EmailComponent]] = {}
        self.domain = message_domain(settings)

    async def load(self, deliveries: list[Delivery]) -> None:
        s = self.session
        sub_ids = {d.subscriber_id for d in deliveries if d.subscriber_id}
        self.subscribers = {
            x.id: x for x in await s.scalars(select(Subscriber).where(Subscriber.id.in_(sub_ids)))
        }
        user_ids = {d.user_id for d in deliveries if d.user_id}
        if user_ids:
            self.users = {
                u.id: u for u in await s.scalars(select(User).where(User.id.in_(user_ids)))
            }
        cust_ids = {x.customer_id for x in self.subscribers.values() if x.customer_id}
        if cust_ids:
            self.customers = {
                c.id: c for c in await s.scalars(select(Customer).where(Customer.id.in_(cust_ids)))
            }
        update_ids = {d.update_id for d in deliveries if d.update_id}
        followed = {x.incident_id for x in self.subscribers.values() if x.incident_id}
        if update_ids:
            self.updates = {
                u.id: u for u in await s.scalars(select(Update).where(Update.id.in_(update_ids)))
            }
        incident_ids = {u.incident_id for u in self.updates.values()} | followed
        if incident_ids:
            self.incidents = {
                i.id: i
                for i in await s.scalars(
                    select(Incident)
                    .options(selectinload(Incident.updates))
                    .where(Incident.id.in_(incident_ids))
                )
            }
        change_ids = {d.component_change_id for d in deliveries if d.component_change_id}
        if change_ids:
            self.changes = {
                c.id: c
                for c in await s.scalars(
                    select(ComponentChange).where(ComponentChange.id.in_(change_ids))
                )
            }
            comp_ids = {c.component_id for c in self.changes.values()}
            self.components = {
                c.id: c
                for c in await s.scalars(select(Component).where(Component.id.in_(comp_ids)))
            }

    def prefix(self, subscriber: Subscriber) -> str:
        customer = self.customers.get(subscriber.customer_id or "")
        return f"/c/{customer.token}" if customer else ""

    def manage_url(self, subscriber: Subscriber) -> str:
        token = tokens.sign(self.settings.secret_key, tokens.MANAGE, subscriber.id)
        return f"{self.settings.base_url}/subscription/{token}"

    def unsubscribe_url(self, subscriber: Subscriber) -> str:
        token = tokens.sign(self.settings.secret_key, tokens.MANAGE, subscriber.id)
        return f"{self.settings.base_url}/unsubscribe/{token}"

    async def page(self, customer_id: str | None) -> StatusPage:
        if self._snapshot is None:
            self._snapshot = await self.snapshots.get(self.session)
        if customer_id not in self._pages:
            audience = aud.for_customer(customer_id) if customer_id else aud.PUBLIC
            self._pages[customer_id] = status_page(
                self._snapshot, audience, zone=self.settings.zone
            )
        return self._pages[customer_id]

    async def prepare(self, delivery: Delivery) -> Prepared:
        if delivery.message == Message.AUTHOR_NOTICE:
            return self.author_notice(delivery)
        subscriber = self.subscribers.get(delivery.subscriber_id or "")
        if subscriber is None:
            return Prepared(delivery.id, skip="the subscriber was removed")
        if delivery.message == Message.CONFIRMATION:
            if subscriber.confirmed_at is not None or subscriber.unsubscribed_at is not None:
                return Prepared(delivery.id, skip="no confirmation needed any more")
            if subscriber.kind == SubscriberKind.WEBHOOK:
                body = await self.confirmation_payload(subscriber)
                prepared = self.webhook(delivery, subscriber, body)
                prepared.confirms = subscriber.id
                return prepared
            if subscriber.kind in CHAT_KINDS:
                prepared = Prepared(
                    delivery.id, subscriber.kind, self.chat_confirmation(subscriber)
                )
                prepared.confirms = subscriber.id
                return prepared
            return Prepared(delivery.id, "email", self.confirmation(delivery, subscriber))
        if subscriber.state != "active":
            return Prepared(delivery.id, skip=f"the subscriber is {subscriber.state}")
        if delivery.message == Message.INCIDENT_UPDATE:
            update = self.updates.get(delivery.update_id or "")
            incident = self.incidents.get(update.incident_id) if update else None
            if update is None or incident is None:
                return Prepared(delivery.id, skip="the update was removed")
            if subscriber.kind == SubscriberKind.EMAIL:
                return Prepared(
                    delivery.id,
                    "email",
                    await self.update_email(delivery, subscriber, update, incident),
                )
            if subscriber.kind in CHAT_KINDS:
                return Prepared(
                    delivery.id, subscriber.kind, self.chat(subscriber, update, incident)
                )
            body = await self.update_payload(subscriber, update, incident)
            return self.webhook(delivery, subscriber, body)
        if delivery.message == Message.COMPONENT_UPDATE:
            change = self.changes.get(delivery.component_change_id or "")
            component = self.components.get(change.component_id) if change else None
            if change is None or component is None or subscriber.kind != SubscriberKind.WEBHOOK:
                return Prepared(delivery.id, skip="the component was removed")
            body = await self.component_payload(subscriber, change, component)
            return self.webhook(delivery, subscriber, body)
        return Prepared(delivery.id, skip=f"unknown message {delivery.message!r}")

    def webhook(self, delivery: Delivery, subscriber: Subscriber, body: bytes) -> Prepared:
        return Prepared(
            delivery.id,
            "webhook",
            WebhookMessage(
                subscriber.url or "",
                subscriber.secret or "",
                webhooks.webhook_id(delivery.id),
                body,
            ),
        )

    def chat(self, subscriber: Subscriber, update: Update, incident: Incident) -> ChatMessage:
        """A Slack or Teams card with the words this subscriber's audience may read (the
        send-time audience check has let this update through for it)."""
        content = cards.CardContent(
            title=incident.title,
            url=f"{self.settings.base_url}{self.prefix(subscriber)}/incidents/{incident.id}",
            status=status_label(update.status),
            impact=status_label(incident.impact or "none"),
            components=[link.component.name for link in incident.components],
            words=update.body,
            next_update_at=update.next_update_at,
            page_name=self.settings.page_name,
            zone=self.settings.zone,
        )
        build = (
            cards.slack_message if subscriber.kind == SubscriberKind.SLACK else cards.teams_message
        )
        return ChatMessage(subscriber.url or "", build(content))

    def chat_confirmation(self, subscriber: Subscriber) -> ChatMessage:
        """A Slack or Teams subscriber's first message: accepted (2xx), it starts."""
        s = self.settings
        customer = self.customers.get(subscriber.customer_id or "")
        whose = f"{s.page_name} for {customer.name}" if customer else s.page_name
        content = cards.CardContent(
            title=f"Subscribed to {whose} status updates",
            url=f"{s.base_url}{self.prefix(subscriber)}/",
            status="",
            impact="",
            components=[],
            words=(
                f"This channel will get each update from {whose}'s status page. "
                f"To choose components or unsubscribe: {self.manage_url(subscriber)}"
            ),
            next_update_at=None,
            page_name=s.page_name,
            zone=s.zone,
            link_text="Open the status page",
        )
        build = (
            cards.slack_message if subscriber.kind == SubscriberKind.SLACK else cards.teams_message
        )
        return ChatMessage(subscriber.url or "", build(content))

    def confirmation(self, delivery: Delivery, subscriber: Subscriber) -> OutgoingEmail:
        s = self.settings
        token = tokens.sign(s.secret_key, tokens.CONFIRM, subscriber.id, ttl=tokens.CONFIRM_SECONDS)
        customer = self.customers.get(subscriber.customer_id or "")
        followed = self.incidents.get(subscriber.incident_id or "")
        context = {
            "page_name": s.page_name,
            "customer_name": customer.name if customer else None,
            "incident_title": followed.title if followed else None,
            "confirm_url": f"{s.base_url}{self.prefix(subscriber)}/subscribe/confirm/{token}",
            "page_url": f"{s.base_url}{self.prefix(subscriber)}/",
            "hours": tokens.CONFIRM_SECONDS // 3600,
        }
        domain = message_domain(s)
        return build_message(
            self.renderer,
            s,
            template=Message.CONFIRMATION.value,
            to=subscriber.address or "",
            context=context,
            message_id=f"<confirm.{delivery.id}.{subscriber.id}@{domain}>",
        )

    def author_notice(self, delivery: Delivery) -> Prepared:
        """A desk user's own draft was published or sent back: to their address of now, if
        they still want to hear (they may have changed their mind since it was queued)."""
        user = self.users.get(delivery.user_id or "")
        if user is None:
            return Prepared(delivery.id, skip="the desk user was removed")
        if not user.notify_me or not user.email:
            return Prepared(delivery.id, skip="the author no longer asks for email")
        s = self.settings
        notice = json.loads(delivery.notice or "{}")
        context = {
            "page_name": s.page_name,
            "published": notice.get("event") == "published",
            "by": notice.get("by", ""),
            "reason": notice.get("reason") or "",
            "incident_title": notice.get("incident_title", ""),
            "desk_url": f"{s.base_url}/admin/incidents/{notice.get('incident_id', '')}",
        }
        message = build_message(
            self.renderer,
            s,
            template=Message.AUTHOR_NOTICE.value,
            to=user.email,
            context=context,
            message_id=f"<author.{delivery.id}.{user.id}@{self.domain}>",
        )
        return Prepared(delivery.id, "email", message)

    async def email_components(
        self, audience: aud.Audience, incident: Incident
    ) -> list[EmailComponent]:
        """The incident's components this reader may see, each with its status now (the
        same for every reader of one audience: worked out once per batch)."""
        if not aud.may_see_component_status(audience):
            return []
        key = (audience.customer_id, incident.id)
        if key not in self._components:
            page = await self.page(audience.customer_id)
            now = shapes.component_status_map(page)
            self._components[key] = [
                EmailComponent(link.component.name, now.get(link.component_id, link.status))
                for link in incident.components
                if link.component_id in now
            ]
        return self._components[key]

    async def update_email(
        self, delivery: Delivery, subscriber: Subscriber, update: Update, incident: Incident
    ) -> OutgoingEmail:
        s = self.settings
        customer = self.customers.get(subscriber.customer_id or "")
        audience = aud.for_customer(customer.id) if customer else aud.PUBLIC
        visible = aud.visible_updates(audience, incident.updates)
        first = min(visible, key=lambda u: u.published_at or u.created_at, default=update)
        domain = self.domain
        thread_id = f"<incident.{incident.id}.{subscriber.id}@{domain}>"
        message_id = (
            thread_id if first.id == update.id else f"<update.{update.id}.{subscriber.id}@{domain}>"
        )
        components = await self.email_components(audience, incident)
        mark = self.common.mark

        def render() -> EmailParts:
            context = update_email_context(
                s,
                incident=incident,
                update=update,
                customer=customer,
                manage_url=f"{s.base_url}/subscription/{mark}",
                unsubscribe_url=f"{s.base_url}/unsubscribe/{mark}",
                components=components,
            )
            return render_parts(self.renderer, Message.INCIDENT_UPDATE.value, context)

        key = (
            update.id,
            customer.id if customer else None,
            customer.name if customer else None,
            update.body,
            update.status,
            update.published_at,
            update.next_update_at,
            incident.title,
            incident.impact,
            incident.kind,
            incident.scheduled_for,
            incident.scheduled_until,
            incident.next_update_at,
            tuple((c.name, c.status) for c in components),
        )
        token = tokens.sign(s.secret_key, tokens.MANAGE, subscriber.id)
        parts = self.common.get(key, render).replace(mark, token)
        return assemble(
            s,
            parts,
            to=subscriber.address or "",
            message_id=message_id,
            thread_id=thread_id,
            unsubscribe_url=f"{s.base_url}/unsubscribe/{token}",
        )

    async def confirmation_payload(self, subscriber: Subscriber) -> bytes:
        """A public webhook's first delivery: accepting it (2xx) starts the subscription."""
        page = await self.page(subscriber.customer_id)
        payload = {
            "meta": self._meta(subscriber),
            "page": self._page(page),
            "subscription": {
                "id": subscriber.id,
                "status": "pending",
                "confirm": "Answer this request with a 2xx status to start receiving updates.",
            },
        }
        return json.dumps(payload, separators=(",", ":")).encode()

    def _meta(self, subscriber: Subscriber) -> dict[str, Any]:
        return {
            "unsubscribe": self.manage_url(subscriber),
            "documentation": f"{self.settings.base_url}/subscribe",
            "generated_at": iso_z(utcnow()),
        }

    def _page(self, page: StatusPage) -> dict[str, Any]:
        return {
            "id": page_id_for(self.settings),
            "status_indicator": page.indicator,
            "status_description": page.description,
        }

    async def update_payload(
        self, subscriber: Subscriber, update: Update, incident: Incident
    ) -> bytes:
        audience = (
            aud.for_customer(subscriber.customer_id) if subscriber.customer_id else aud.PUBLIC
        )
        published = update.published_at or update.created_at
        updates = [
            u
            for u in aud.visible_updates(audience, incident.updates)
            if (u.published_at or u.created_at) <= published
        ]
        updates.sort(key=lambda u: u.published_at or u.created_at, reverse=True)
        view = IncidentView(
            incident=incident,
            updates=updates,
            components=[
                (link.component, ComponentStatus(link.status)) for link in incident.components
            ],
        )
        page = await self.page(subscriber.customer_id)
        payload = {
            "meta": self._meta(subscriber),
            "page": self._page(page),
            "incident": shapes.incident_object(
                view,
                shapes.component_status_map(page),
                page_id=page_id_for(self.settings),
                base_url=self.settings.base_url + self.prefix(subscriber),
            ),
        }
        return json.dumps(payload, separators=(",", ":")).encode()

    async def component_payload(
        self, subscriber: Subscriber, change: ComponentChange, component: Component
    ) -> bytes:
        page = await self.page(subscriber.customer_id)
        page_id = page_id_for(self.settings)
        payload = {
            "meta": self._meta(subscriber),
            "page": self._page(page),
            "component": shapes.component_object(component, change.new_status, page_id=page_id),
            "component_update": {
                "old_status": change.old_status,
                "new_status": change.new_status,
                "created_at": iso_z(change.created_at),
                "component_type": "Component",
                "id": change.id,
                "component_id": component.id,
            },
        }
        return json.dumps(payload, separators=(",", ":")).encode()
