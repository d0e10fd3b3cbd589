"""Building each outbox row's message: what a batch needs, read once, then one message per row.

Emails come from `templates/email/<message>/`; webhook bodies are the Statuspage shapes of
`app.public.statuspage_shapes`, cut for the subscriber's audience by `app.audience`.

This module reads what a batch needs and asks, row by row, the subscriber's channel
(`app.delivery.channels`) for its message; emails are built here. Webhook bodies are
`app.delivery.payloads`, what a prepared row is `app.delivery.prepared`, and what is kept
between batches (the rendered words, the page's state) `app.delivery.reuse`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app import audience as aud
from app.accounts.models import User
from app.components.models import Component
from app.customers.models import Customer
from app.delivery.channels import CHANNELS
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
from app.delivery.news import News, PageState, page_state
from app.delivery.nudges import prepare_nudge
from app.delivery.prepared import Prepared
from app.delivery.reader_words import reader_language
from app.delivery.reuse import CommonParts, Snapshots
from app.incidents.models import Incident, Update
from app.lib.templating import Renderer
from app.public.snapshot import Snapshot
from app.settings import Settings
from app.subscribers import tokens
from app.subscribers.models import Subscriber


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
        self.users: dict[str, User] = {}  # the desk users of author notices and nudges
        self.customers: dict[str, Customer] = {}
        self.updates: dict[str, Update] = {}
        self.incidents: dict[str, Incident] = {}
        self.changes: dict[str, ComponentChange] = {}
        self.components: dict[str, Component] = {}
        self._snapshot: Snapshot | None = None
        self._pages: dict[str | None, PageState] = {}
        self._components: dict[tuple[str | None, str], list[EmailComponent]] = {}
        # An update email's part shared by the readers of one audience and language, by
        # (update id, customer id, language).
        self._update_emails: dict[tuple[str, str | None, str], tuple[str, EmailParts]] = {}
        # A webhook body's part shared by one audience, by (update id, customer id).
        self.payload_parts: dict[tuple[str, str | None], bytes] = {}
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

    def language(self, subscriber: Subscriber) -> str:
        """The language this subscriber's messages are written in: theirs, else their
        customer's, else the site's (the one rule, `message_language`)."""
        return reader_language(
            self.settings, subscriber, self.customers.get(subscriber.customer_id or "")
        )

    def prefix(self, subscriber: Subscriber) -> str:
        customer = self.customers.get(subscriber.customer_id or "")
        return f"/c/{customer.token}" if customer else ""

    def manage_url(self, subscriber: Subscriber) -> str:
        token = tokens.sign(self.settings.secret_key, tokens.MANAGE, subscriber.id)
        return f"{self.settings.base_url}/subscription/{token}"

    def unsubscribe_url(self, subscriber: Subscriber) -> str:
        token = tokens.sign(self.settings.secret_key, tokens.MANAGE, subscriber.id)
        return f"{self.settings.base_url}/unsubscribe/{token}"

    async def page(self, customer_id: str | None) -> PageState:
        """The page's state as this reader's audience sees it, worked out once per batch."""
        if self._snapshot is None:
            self._snapshot = await self.snapshots.get(self.session)
        if customer_id not in self._pages:
            audience = aud.for_customer(customer_id) if customer_id else aud.PUBLIC
            self._pages[customer_id] = page_state(self._snapshot, audience, zone=self.settings.zone)
        return self._pages[customer_id]

    async def prepare(self, delivery: Delivery) -> Prepared:
        """The row's message, built by its subscriber's channel, or why it is not sent."""
        if delivery.message == Message.AUTHOR_NOTICE:
            return self.author_notice(delivery)
        if delivery.message == Message.PROMISE_NUDGE:
            return await prepare_nudge(self, delivery)
        subscriber = self.subscribers.get(delivery.subscriber_id or "")
        if subscriber is None:
            return Prepared(delivery.id, skip="the subscriber was removed")
        channel = CHANNELS.get(subscriber.kind)
        if channel is None:
            return Prepared(delivery.id, error=f"no channel sends to {subscriber.kind!r}")
        if delivery.message == Message.CONFIRMATION:
            if subscriber.confirmed_at is not None or subscriber.unsubscribed_at is not None:
                return Prepared(delivery.id, skip="no confirmation needed any more")
            message = await channel.confirmation(self, delivery, subscriber)
            prepared = Prepared(delivery.id, channel.kind, message)
            if channel.confirmed_by_delivery:
                prepared.confirms = subscriber.id
            return prepared
        if subscriber.state != "active":
            return Prepared(delivery.id, skip=f"the subscriber is {subscriber.state}")
        if delivery.message == Message.ALREADY_SUBSCRIBED and subscriber.address:
            # Told by its own channel (an email, an SMS) that it is subscribed already.
            message = await channel.confirmation(self, delivery, subscriber)
            return Prepared(delivery.id, channel.kind, message)
        if delivery.message == Message.INCIDENT_UPDATE:
            news = self.news(delivery)
            if news is None:
                return Prepared(delivery.id, skip="the update was removed")
            message = await channel.update_message(self, delivery, subscriber, news)
            return Prepared(delivery.id, channel.kind, message)
        if delivery.message == Message.COMPONENT_UPDATE:
            change = self.changes.get(delivery.component_change_id or "")
            component = self.components.get(change.component_id) if change else None
            if change is None or component is None or channel.component_message is None:
                return Prepared(delivery.id, skip="the component was removed")
            message = await channel.component_message(self, delivery, subscriber, change, component)
            return Prepared(delivery.id, channel.kind, message)
        return Prepared(delivery.id, skip=f"unknown message {delivery.message!r}")

    def news(self, delivery: Delivery) -> News | None:
        """The worker's view of the row's update, or None when it is gone."""
        update = self.updates.get(delivery.update_id or "")
        incident = self.incidents.get(update.incident_id) if update else None
        if update is None or incident is None:
            return None
        return News(incident=incident, update=update)

    def confirmation(self, delivery: Delivery, subscriber: Subscriber) -> OutgoingEmail:
        """The link that confirms an address, or (already subscribed) the one managing it."""
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
            "manage_url": self.manage_url(subscriber),
            "language": self.language(subscriber),
        }
        domain = message_domain(s)
        return build_message(
            self.renderer,
            s,
            template=delivery.message,
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
            now = (await self.page(audience.customer_id)).statuses
            self._components[key] = [
                EmailComponent(link.component.name, now.get(link.component_id, link.status))
                for link in incident.components
                if link.component_id in now
            ]
        return self._components[key]

    async def update_email(
        self, delivery: Delivery, subscriber: Subscriber, news: News
    ) -> OutgoingEmail:
        update, incident = news.update, news.incident
        s = self.settings
        customer = self.customers.get(subscriber.customer_id or "")
        language = self.language(subscriber)
        shared_key = (update.id, customer.id if customer else None, language)
        if shared_key not in self._update_emails:
            parts = await self._update_email_parts(update, incident, customer, language)
            self._update_emails[shared_key] = parts
        first_id, common_parts = self._update_emails[shared_key]
        domain = self.domain
        thread_id = f"<incident.{incident.id}.{subscriber.id}@{domain}>"
        message_id = (
            thread_id if first_id == update.id else f"<update.{update.id}.{subscriber.id}@{domain}>"
        )
        token = tokens.sign(s.secret_key, tokens.MANAGE, subscriber.id)
        return assemble(
            s,
            common_parts.replace(self.common.mark, token),
            to=subscriber.address or "",
            message_id=message_id,
            thread_id=thread_id,
            unsubscribe_url=f"{s.base_url}/unsubscribe/{token}",
        )

    async def _update_email_parts(
        self, update: Update, incident: Incident, customer: Customer | None, language: str
    ) -> tuple[str, EmailParts]:
        """What every reader of one audience and language gets of an update's email, once
        per batch: the id of the first update that audience saw (for threading) and the
        rendered words."""
        s = self.settings
        audience = aud.for_customer(customer.id) if customer else aud.PUBLIC
        visible = aud.visible_updates(audience, incident.updates)
        first = min(visible, key=lambda u: u.published_at or u.created_at, default=update)
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
                language=language,
            )
            return render_parts(self.renderer, Message.INCIDENT_UPDATE.value, context)

        key = (
            update.id,
            language,
            tuple(sorted((update.translations or {}).items())),
            customer.id if customer else None,
            language,
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
        return first.id, self.common.get(key, render)
