"""What a channel module declares, and what each of the worker's lanes holds of a channel.

A channel is one module of `app.delivery.channels` holding one `Channel[M]`: its kind (the
subscriber kind it serves), its names on the desk, how a new subscriber of it is
validated, how its message `M` is built from an update (and a confirmation, and a
component's change where it has one), and how `M` is sent. `M` ties them together: the
builders return it and the sender takes it, so a channel never receives another's message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.delivery.email import MailerPool
from app.delivery.queue import Outcome
from app.lib.guarded_http import GuardedSession
from app.settings import Settings
from app.subscribers.kinds import Validate
from app.subscribers.models import Subscriber

if TYPE_CHECKING:
    from app.components.models import Component
    from app.delivery.messages import Batch
    from app.delivery.models import ComponentChange, Delivery
    from app.delivery.news import News
    from app.incidents.models import Incident, Update

M = TypeVar("M")
M_contra = TypeVar("M_contra", contravariant=True)


class Sender(Protocol[M_contra]):
    """One lane's handle on a way out (an SMTP connection, a share of an HTTP pool)."""

    async def send(self, message: M_contra, *, deadline: float) -> Outcome:
        """Send `message` within `deadline` seconds, all told; never raises for the peer."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Shared:
    """What one lane's channels use: the settings, the lane's own guarded HTTP client,
    the small pool of SMTP connections that the worker's lanes share, and the database
    (for what every process shares, such as a provider account's pace)."""

    settings: Settings
    http: GuardedSession
    body_cap: int  # bytes of a peer's answer read at most (the rest is never downloaded)
    mailers: MailerPool
    sessionmaker: async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Channel(Generic[M]):
    """One way a message leaves Tidings, as its module declares it."""

    kind: str  # the subscriber kind it serves, stored in `Subscriber.kind`
    label: str  # how the desk names it: "Slack"
    noun: str  # one recipient in the desk's words: "Slack channel" ("3 Slack channels")
    target: str  # the subscriber field it sends to, and the forms' field: address or url
    validate: Validate  # a new, unsaved subscriber with its target checked
    update_message: Callable[[Batch, Delivery, Subscriber, News], Awaitable[M]]
    confirmation: Callable[[Batch, Delivery, Subscriber], Awaitable[M]]
    open: Callable[[Shared], Sender[M]]
    # The confirmation, once the peer accepts it, starts the subscription (a URL proves
    # itself so); False: the subscriber follows a link in it (an email).
    confirmed_by_delivery: bool = False
    # A component's change of status, for channels that carry one (None: not sent).
    component_message: (
        Callable[[Batch, Delivery, Subscriber, ComponentChange, Component], Awaitable[M]] | None
    ) = None
    # Which published updates it carries, for channels that carry only some (None: every
    # one): (incident, update, whether these are the incident's first published words).
    # Asked once per update by the fan-out and by the reviewer's recipient counts.
    carries: Callable[[Incident, Update, bool], bool] | None = None
