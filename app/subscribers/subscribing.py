"""Self-service subscribing: double opt-in by email, and the signed links in every message.

Nobody signs in: a stranger gives an address, the confirmation email proves it is theirs,
and the links in later messages (preferences, unsubscribe) carry signed tokens.
"""

from __future__ import annotations

from typing import Protocol

from babel.lists import format_list
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.components.service import list_components
from app.customers.models import Customer
from app.incidents.models import Incident
from app.lib import translations
from app.lib.clock import utcnow
from app.lib.emails import clean_email
from app.lib.errors import Conflict, InvalidInput
from app.lib.languages import DEFAULT_LANGUAGE, babel_locale
from app.subscribers import tokens
from app.subscribers.models import Subscriber, SubscriberKind
from app.subscribers.service import (
    checked_language,
    component_ids,
    existing_email,
    get_subscriber,
    set_components,
)

SELF_SERVICE = "self-service"


class ConfirmationMail(Protocol):
    """Sends the one email an unconfirmed address may receive: the link that confirms it.

    The delivery package implements it (subscribers know nothing of the outbox) and
    `create_app` hands it to the pages; it also limits how often a form may ask for one.
    """

    async def check(
        self, session: AsyncSession, address: str, client: str, *, field: str = "email"
    ) -> None:
        """Refuse with TooManyRequests when this client or address (an email address, a
        phone number or a webhook URL, named `field` in the refusal) asked too often."""

    def queue(self, session: AsyncSession, subscriber: Subscriber) -> None:
        """Write the confirmation email into the outbox, in the caller's transaction (for
        an address already confirmed: that it is subscribed, and how to manage it)."""


class TooManyRequests(Conflict):
    status_code = 429


async def subscribe(
    session: AsyncSession,
    *,
    address: str,
    customer_id: str | None,
    components: list[str],
    client: str,
    mail: ConfirmationMail,
    language: str | None = None,
) -> Subscriber:
    """Self-service: store an unconfirmed subscriber and queue the confirmation email
    (`language`: the one its messages are written in, None for its customer's or the site's)."""
    address = clean_email(address, field="email")
    await mail.check(session, address, client)
    found = await existing_email(session, address, customer_id)
    return await ask_to_subscribe(
        session,
        kind=SubscriberKind.EMAIL.value,
        target=address,
        found=found,
        customer_id=customer_id,
        components=components,
        mail=mail,
        language=language,
    )


async def ask_to_subscribe(
    session: AsyncSession,
    *,
    kind: str,
    target: str,
    found: Subscriber | None,
    customer_id: str | None,
    components: list[str],
    mail: ConfirmationMail,
    language: str | None = None,
) -> Subscriber:
    """A stranger asks that `target` (checked and limited by the caller) be subscribed:
    store it unconfirmed (unless `found`, the subscriber it already is) and queue what
    confirms it. The answer is the same either way."""
    subscriber = found
    if subscriber is None or subscriber.unsubscribed_at is not None:
        subscriber = Subscriber(
            kind=kind, address=target, customer_id=customer_id, created_by=SELF_SERVICE
        )
        session.add(subscriber)
        await session.flush()
    again = subscriber.confirmed_at is not None
    if not again:
        await set_components(session, subscriber, components)
        subscriber.language = language
    # A target already confirmed keeps its choices (a stranger may be asking) and is told
    # that it is subscribed, with its link to manage it. It is counted and answered like a
    # new one: the page must not tell a stranger who is subscribed.
    mail.queue(session, subscriber)
    await record(
        session,
        actor=SELF_SERVICE,
        action="subscriber.subscribe",
        subject_type="subscriber",
        subject_id=subscriber.id,
        detail={"customer": customer_id, "already": again, "kind": kind},
    )
    await session.flush()
    return subscriber


async def confirm(session: AsyncSession, *, secret: str, token: str) -> Subscriber:
    subscriber_id = tokens.verify(secret, tokens.CONFIRM, token)
    subscriber = await get_subscriber(session, subscriber_id)
    if subscriber.unsubscribed_at is not None:
        raise InvalidInput("this subscription was cancelled; subscribe again", field="token")
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = utcnow()
        await record(
            session,
            actor=SELF_SERVICE,
            action="subscriber.confirm",
            subject_type="subscriber",
            subject_id=subscriber.id,
        )
        await session.flush()
    return subscriber


async def choose_own_language(
    session: AsyncSession, *, subscriber: Subscriber, language: str | None
) -> None:
    """The subscriber, on their preferences page, chooses the language of their messages."""
    language = checked_language(language)
    if subscriber.language != language:
        subscriber.language = language
        await record(
            session,
            actor=SELF_SERVICE,
            action="subscriber.language",
            subject_type="subscriber",
            subject_id=subscriber.id,
            detail={"language": language},
        )
        await session.flush()


async def from_manage_token(session: AsyncSession, *, secret: str, token: str) -> Subscriber:
    return await get_subscriber(session, tokens.verify(secret, tokens.MANAGE, token))


async def what_is_subscribed(
    session: AsyncSession, subscriber: Subscriber, *, language: str = DEFAULT_LANGUAGE
) -> str:
    """What a subscriber receives, said in one phrase (in `language`) for the page that
    confirms it: "each update on “API errors” until it is resolved", "incidents and
    maintenance affecting API and Search on this status page", ..."""
    _ = translations.translations(language).gettext
    if subscriber.incident_id is not None:
        incident = await session.get(Incident, subscriber.incident_id)
        title = incident.title if incident is not None else _("the incident")
        return _("each update on “%(title)s” until it is resolved") % {"title": title}
    customer = (
        await session.get(Customer, subscriber.customer_id) if subscriber.customer_id else None
    )
    return await what_is_chosen(
        session,
        customer_name=customer.name if customer is not None else None,
        components=await component_ids(session, subscriber.id) or [],
        language=language,
    )


async def what_is_chosen(
    session: AsyncSession,
    *,
    customer_name: str | None,
    components: list[str],
    language: str = DEFAULT_LANGUAGE,
) -> str:
    """What a page subscription with these components (none: all) brings, in one phrase."""
    _ = translations.translations(language).gettext
    page = (
        _("%(customer)s's status page") % {"customer": customer_name}
        if customer_name
        else _("this status page")
    )
    chosen = set(components)
    names = [c.name for c in await list_components(session) if c.id in chosen]  # page order
    if not names:  # none chosen (or those chosen are gone): everything on the page
        return _("every incident and maintenance on %(page)s") % {"page": page}
    if language == DEFAULT_LANGUAGE:
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    else:
        listed = format_list(names, locale=babel_locale(language))
    return _("incidents and maintenance affecting %(components)s on %(page)s") % {
        "components": listed,
        "page": page,
    }
