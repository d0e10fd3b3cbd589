"""What preparing an outbox row gives: the message, ready to send, and the channel it leaves
by (or the reason it will not be sent). Channels read these; `app.delivery.messages` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.delivery.email import (
    OutgoingEmail,
)


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
    subscriber_id: str | None = None  # whose state is asked again just before sending
    confirming: bool = False  # a confirmation: its subscriber is not confirmed yet
