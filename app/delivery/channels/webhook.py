"""Webhooks: a Statuspage-shaped JSON body, signed per Standard Webhooks, POSTed within the
deadline through the worker's guarded client (public addresses only, dialled as checked).

The `webhook-id` is the delivery's and never changes across retries; the timestamp and
signature are those of each attempt, over the exact bytes sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.delivery import payloads
from app.delivery.channels.base import Channel, Shared
from app.delivery.channels.bounded_http import deliver
from app.delivery.queue import Outcome
from app.delivery.webhooks import sign, webhook_id
from app.lib.urls import check_webhook_url
from app.subscribers.models import Subscriber, SubscriberKind
from app.subscribers.service import new_webhook_secret

if TYPE_CHECKING:
    from app.components.models import Component
    from app.delivery.messages import Batch
    from app.delivery.models import ComponentChange, Delivery
    from app.delivery.news import News


@dataclass(frozen=True)
class WebhookMessage:
    url: str
    secret: str
    msg_id: str  # the webhook-id, the same on every attempt
    body: bytes


class WebhookSender:
    def __init__(self, shared: Shared) -> None:
        self.shared = shared

    async def send(self, message: WebhookMessage, *, deadline: float) -> Outcome:
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": "Tidings-Webhooks/1",
            "webhook-id": message.msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(message.secret, message.msg_id, timestamp, message.body),
        }
        return await deliver(
            self.shared, message.url, content=message.body, headers=headers, deadline=deadline
        )

    async def close(self) -> None:
        return None  # the HTTP client is the worker's, shared by every lane


async def validate(
    session: AsyncSession,
    *,
    address: str | None,
    url: str | None,
    customer_id: str | None,
    allow_private: bool,
) -> Subscriber:
    """A URL at a public address, and a new signing secret for it."""
    checked = await check_webhook_url(url, allow_private=allow_private)
    return Subscriber(kind=SubscriberKind.WEBHOOK.value, url=checked, secret=new_webhook_secret())


def _message(delivery: Delivery, subscriber: Subscriber, body: bytes) -> WebhookMessage:
    return WebhookMessage(
        subscriber.url or "", subscriber.secret or "", webhook_id(delivery.id), body
    )


async def update_message(
    batch: Batch, delivery: Delivery, subscriber: Subscriber, news: News
) -> WebhookMessage:
    body = await payloads.update_payload(batch, subscriber, news)
    return _message(delivery, subscriber, body)


async def confirmation(batch: Batch, delivery: Delivery, subscriber: Subscriber) -> WebhookMessage:
    body = await payloads.confirmation_payload(batch, subscriber)
    return _message(delivery, subscriber, body)


async def component_message(
    batch: Batch,
    delivery: Delivery,
    subscriber: Subscriber,
    change: ComponentChange,
    component: Component,
) -> WebhookMessage:
    body = await payloads.component_payload(batch, subscriber, change, component)
    return _message(delivery, subscriber, body)


CHANNEL = Channel[WebhookMessage](
    kind=SubscriberKind.WEBHOOK.value,
    label="webhook",
    noun="webhook",
    target="url",
    validate=validate,
    update_message=update_message,
    confirmation=confirmation,
    open=WebhookSender,
    confirmed_by_delivery=True,
    component_message=component_message,
)
