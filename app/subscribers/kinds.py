"""The kinds of subscriber there are, as this package needs to know them.

The kinds are the delivery channels' (`app.delivery.channels.CHANNELS`, one module each):
the delivery package sends to subscribers and so imports this one; this one is handed the
registry (`create_app` keeps it on the app, the handlers pass it to the verbs) rather than
importing it, so the two packages never import each other. Nothing here names a kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.lib.errors import InvalidInput
from app.subscribers.models import Subscriber


class SubscriberChannel(Protocol):
    """What a channel says of its subscribers: its kind, its name, where it sends (the
    form's field, `address` or `url`) and how a new subscriber of it is checked."""

    @property
    def kind(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def target(self) -> str: ...

    @property
    def validate(self) -> Validate: ...


class Validate(Protocol):
    async def __call__(
        self,
        session: AsyncSession,
        *,
        address: str | None,
        url: str | None,
        customer_id: str | None,
        allow_private: bool,
    ) -> Subscriber: ...


Channels = Mapping[str, SubscriberChannel]


def channel_of(channels: Channels, kind: object, *, field: str = "kind") -> SubscriberChannel:
    """The channel of `kind`, or InvalidInput naming the kinds there are."""
    channel = channels.get(str(kind or ""))
    if channel is None:
        *others, last = channels
        names = f"{', '.join(others)} or {last}" if others else last
        raise InvalidInput(f"{field} must be {names}", field=field)
    return channel


def url_kinds(channels: Channels) -> list[str]:
    """The kinds whose subscribers give a URL (a webhook, a chat tool), in registry order."""
    return [kind for kind, channel in channels.items() if channel.target == "url"]


def labels(channels: Channels) -> dict[str, str]:
    return {kind: channel.label for kind, channel in channels.items()}
