"""What Slack and Microsoft Teams share: a JSON card POSTed to the incoming-webhook (Slack)
or the workflow webhook (Teams) URL the subscriber gave, within the deadline, through the
guarded client. A 404 or 410 means the webhook or workflow was deleted: the subscriber is
disabled. Each tool is its own module (`slack`, `teams`), naming its card format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.customers.page_links import fill
from app.delivery import cards
from app.delivery.channels.base import Channel, Shared
from app.delivery.channels.bounded_http import deliver
from app.delivery.queue import Outcome
from app.delivery.reader_words import reader_words
from app.incidents.status import status_label
from app.lib.translations import translations
from app.lib.urls import check_webhook_url
from app.subscribers.models import Subscriber

if TYPE_CHECKING:
    from app.delivery.messages import Batch
    from app.delivery.models import Delivery
    from app.delivery.news import News

CardBuilder = Callable[[cards.CardContent], bytes]


@dataclass(frozen=True)
class ChatMessage:
    """A Slack or Teams card, ready to POST."""

    url: str
    body: bytes


class ChatSender:
    def __init__(self, shared: Shared) -> None:
        self.shared = shared

    async def send(self, message: ChatMessage, *, deadline: float) -> Outcome:
        headers = {"content-type": "application/json", "user-agent": "Tidings/1"}
        return await deliver(
            self.shared,
            message.url,
            content=message.body,
            headers=headers,
            deadline=deadline,
            gone=(404, 410),
        )

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class ChatChannel(Channel[ChatMessage]):
    """A chat tool's channel, with the card format it reads (for the forms' test message)."""

    card: CardBuilder = cards.slack_message


def chat_channel(kind: str, *, label: str, noun: str, card: CardBuilder) -> ChatChannel:
    """A chat tool's channel: its kind and names, and the card format it reads."""

    async def validate(
        session: AsyncSession,
        *,
        address: str | None,
        url: str | None,
        customer_id: str | None,
        allow_private: bool,
    ) -> Subscriber:
        # The same refusal of private addresses as webhooks; no secret: Slack and Teams
        # do not check signatures, the URL itself is the secret.
        checked = await check_webhook_url(url, allow_private=allow_private)
        return Subscriber(kind=kind, url=checked)

    async def update_message(
        batch: Batch, delivery: Delivery, subscriber: Subscriber, news: News
    ) -> ChatMessage:
        return ChatMessage(subscriber.url or "", card(update_card(batch, subscriber, news)))

    async def confirmation(batch: Batch, delivery: Delivery, subscriber: Subscriber) -> ChatMessage:
        return ChatMessage(subscriber.url or "", card(confirmation_card(batch, subscriber)))

    return ChatChannel(
        kind=kind,
        label=label,
        noun=noun,
        target="url",
        validate=validate,
        update_message=update_message,
        confirmation=confirmation,
        open=ChatSender,
        confirmed_by_delivery=True,
        card=card,
    )


def update_card(batch: Batch, subscriber: Subscriber, news: News) -> cards.CardContent:
    """The words this subscriber's audience may read (the send-time audience check has let
    this update through for it), in the subscriber's language."""
    incident, update = news.incident, news.update
    url = f"{batch.settings.base_url}{batch.prefix(subscriber)}/incidents/{incident.id}"
    language = batch.language(subscriber)
    chosen = reader_words(batch.settings, update, language)
    # The reader's own page link in place of the stand-in; the note first when the words
    # are the site's because the update does not carry the reader's language.
    words = fill(chosen.words, url)
    return cards.CardContent(
        title=incident.title,
        url=url,
        status=status_label(update.status),
        impact=status_label(incident.impact or "none"),
        components=[link.component.name for link in incident.components],
        words=f"_{chosen.note()}_\n\n{words}" if chosen.fell_back else words,
        next_update_at=update.next_update_at,
        page_name=batch.settings.page_name,
        zone=batch.settings.zone,
        language=language,
    )


def confirmation_card(batch: Batch, subscriber: Subscriber) -> cards.CardContent:
    """A chat subscriber's first message, in their language: accepted (2xx), it starts."""
    s = batch.settings
    language = batch.language(subscriber)
    _ = translations(language).gettext
    customer = batch.customers.get(subscriber.customer_id or "")
    whose = (
        _("%(page)s for %(customer)s") % {"page": s.page_name, "customer": customer.name}
        if customer
        else s.page_name
    )
    return cards.CardContent(
        title=_("Subscribed to %(page)s status updates") % {"page": whose},
        url=f"{s.base_url}{batch.prefix(subscriber)}/",
        status="",
        impact="",
        components=[],
        words=_(
            "This channel will get each update from %(page)s's status page. "
            "To choose components or unsubscribe: %(url)s"
        )
        % {"page": whose, "url": batch.manage_url(subscriber)},
        next_update_at=None,
        page_name=s.page_name,
        zone=s.zone,
        link_text=_("Open the status page"),
        language=language,
    )
