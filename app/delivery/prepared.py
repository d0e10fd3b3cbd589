"""What preparing an outbox row gives: the message, ready to send, and the channel it leaves
by (or the reason it will not be sent). `app.delivery.messages` makes them; the worker
hands each message to its channel's sender.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Prepared:
    """One row's message and the channel it leaves by, or the reason it will not be sent."""

    delivery_id: int
    channel: str | None = None  # a kind in `app.delivery.channels.CHANNELS`
    # The channel's own message type: built by that channel's builders, sent by its sender.
    message: object = None
    skip: str | None = None
    error: str | None = None  # the message could not be built: failed for good
    confirms: str | None = None  # a subscriber that this message, once accepted, confirms
    subscriber_id: str | None = None  # whose state is asked again just before sending
    confirming: bool = False  # a confirmation: its subscriber is not confirmed yet
