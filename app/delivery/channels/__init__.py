"""The ways a message leaves Tidings, one module each, behind one small protocol.

A channel takes a prepared message (`app.delivery.prepared.Prepared`) and answers with an
`Outcome`; it never raises for a peer's misbehaviour. Every send is bounded as a whole by
the worker's deadline (connect, send and the whole answer), so one bad peer costs one lane
for at most that long. Adding a channel is one module here and one line in `CHANNELS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.delivery.email import MailerPool
from app.delivery.queue import Outcome
from app.lib.guarded_http import GuardedSession
from app.settings import Settings


class Channel(Protocol):
    """One lane's handle on a way out (an SMTP connection, a share of an HTTP pool)."""

    async def send(self, message: object, *, deadline: float) -> Outcome:
        """Send `message` within `deadline` seconds, all told; never raises for the peer."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Shared:
    """What one lane's channels use: the settings, the lane's own guarded HTTP client,
    and the small pool of SMTP connections that the worker's lanes share."""

    settings: Settings
    http: GuardedSession
    body_cap: int  # bytes of a peer's answer read at most (the rest is never downloaded)
    mailers: MailerPool


ChannelFactory = Callable[[Shared], Channel]


def _registry() -> dict[str, ChannelFactory]:
    # Imported here: each channel module imports this one for `Shared`.
    from app.delivery.channels import chat, email, webhook

    return {
        "email": email.EmailChannel,
        "webhook": webhook.WebhookChannel,
        "slack": chat.ChatChannel,
        "teams": chat.ChatChannel,
    }


def open_channel(name: str, shared: Shared) -> Channel:
    """A new handle on the channel called `name` (a subscriber kind)."""
    return _registry()[name](shared)
