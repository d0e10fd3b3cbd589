"""The Slack and Teams cards of chat deliveries: an incident update, and the confirmation
that starts a chat subscription (built by `app.delivery.cards`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.customers.page_links import fill
from app.delivery import cards
from app.delivery.prepared import ChatMessage
from app.incidents.models import Incident, Update
from app.incidents.status import status_label
from app.subscribers.models import Subscriber, SubscriberKind

if TYPE_CHECKING:
    from app.delivery.messages import Batch


def chat(batch: Batch, subscriber: Subscriber, update: Update, incident: Incident) -> ChatMessage:
    """A Slack or Teams card with the words this subscriber's audience may read (the
    send-time audience check has let this update through for it)."""
    url = f"{batch.settings.base_url}{batch.prefix(subscriber)}/incidents/{incident.id}"
    content = cards.CardContent(
        title=incident.title,
        url=url,
        status=status_label(update.status),
        impact=status_label(incident.impact or "none"),
        components=[link.component.name for link in incident.components],
        words=fill(update.body, url),  # the reader's own page link in place of the stand-in
        next_update_at=update.next_update_at,
        page_name=batch.settings.page_name,
        zone=batch.settings.zone,
    )
    build = cards.slack_message if subscriber.kind == SubscriberKind.SLACK else cards.teams_message
    return ChatMessage(subscriber.url or "", build(content))


def chat_confirmation(batch: Batch, subscriber: Subscriber) -> ChatMessage:
    """A Slack or Teams subscriber's first message: accepted (2xx), it starts."""
    s = batch.settings
    customer = batch.customers.get(subscriber.customer_id or "")
    whose = f"{s.page_name} for {customer.name}" if customer else s.page_name
    content = cards.CardContent(
        title=f"Subscribed to {whose} status updates",
        url=f"{s.base_url}{batch.prefix(subscriber)}/",
        status="",
        impact="",
        components=[],
        words=(
            f"This channel will get each update from {whose}'s status page. "
            f"To choose components or unsubscribe: {batch.manage_url(subscriber)}"
        ),
        next_update_at=None,
        page_name=s.page_name,
        zone=s.zone,
        link_text="Open the status page",
    )
    build = cards.slack_message if subscriber.kind == SubscriberKind.SLACK else cards.teams_message
    return ChatMessage(subscriber.url or "", build(content))
