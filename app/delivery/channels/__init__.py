"""The ways a message leaves Tidings: one module each, listed here.

A channel module holds one `base.Channel`: its kind, its names, how a subscriber of it is
validated, how its message is built from an update and how it is sent. Everything else
(the worker, the desk's names and counts, the subscriber forms and verbs, which
`create_app` hands it to) asks this registry rather than naming kinds. Adding a channel is
its module, its templates and its settings, and one line below. Every send is bounded as a
whole by the worker's deadline (connect, send and the whole answer), so one bad peer costs
one lane for at most that long; a sender answers with an `Outcome` and never raises for a
peer's misbehaviour.
"""

from __future__ import annotations

from typing import Any

from app.delivery.channels import email, slack, sms, teams, webhook
from app.delivery.channels.base import Channel, Sender, Shared

__all__ = ["CHANNELS", "Channel", "Sender", "Shared", "open_sender"]

CHANNELS: dict[str, Channel[Any]] = {
    c.kind: c for c in (email.CHANNEL, webhook.CHANNEL, slack.CHANNEL, teams.CHANNEL, sms.CHANNEL)
}


def open_sender(kind: str, shared: Shared) -> Sender[Any]:
    """A new handle on the channel of `kind`, for one lane."""
    return CHANNELS[kind].open(shared)
