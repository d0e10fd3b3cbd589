"""Self-service SMS subscribing: a number is confirmed by the code we text it.

A stranger gives a number; a code goes to it by SMS (through the outbox, with the same
limits as the confirmation emails); typing the code on the page proves the number is
theirs. The page then carries a signed ticket naming the subscriber, never the number's
state: a number already subscribed is answered exactly like a new one (it is texted that
it is subscribed instead of a code). Attempts at the code are counted in the database,
so guessing it is a few tries per hour, whatever the number of processes.
"""

from __future__ import annotations

import hmac

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.db.rates import hit
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput
from app.lib.phones import clean_phone
from app.subscribers import tokens
from app.subscribers.models import Subscriber, SubscriberKind
from app.subscribers.service import existing_phone, get_subscriber
from app.subscribers.subscribing import (
    SELF_SERVICE,
    ConfirmationMail,
    TooManyRequests,
    ask_to_subscribe,
)

# Wrong codes a ticket may be tried with per hour, all processes together.
CODE_ATTEMPTS = 5
CODE_WINDOW = 3600.0
TICKET = "sms-ticket"


async def subscribe_sms(
    session: AsyncSession,
    *,
    number: str,
    customer_id: str | None,
    components: list[str],
    client: str,
    mail: ConfirmationMail,
    secret: str,
    language: str | None = None,
) -> str:
    """Store an unconfirmed SMS subscriber and queue its code; the ticket the page sends
    back with the code (the same answer for a number already subscribed)."""
    number = clean_phone(number, field="phone")
    await mail.check(session, number, client, field="phone")
    subscriber = await ask_to_subscribe(
        session,
        kind=SubscriberKind.SMS.value,
        target=number,
        found=await existing_phone(session, number, customer_id),
        customer_id=customer_id,
        components=components,
        mail=mail,
        language=language,
    )
    return tokens.sign(secret, TICKET, subscriber.id, ttl=tokens.CONFIRM_SECONDS)


async def confirm_code(
    session: AsyncSession, *, secret: str, ticket: str, code: str
) -> Subscriber | None:
    """Confirm the ticket's subscriber if `code` is its code; None for a wrong code (the
    attempt is counted: the caller must not roll it back). TooManyRequests past the limit."""
    subscriber_id = tokens.verify(secret, TICKET, ticket)
    tries = await hit(session, "sms-code", subscriber_id, window=CODE_WINDOW)
    if tries > CODE_ATTEMPTS:
        raise TooManyRequests("too many wrong codes; ask for a new one in an hour", field="code")
    typed = "".join(code.split())
    if not hmac.compare_digest(typed, tokens.sms_code(secret, subscriber_id)):
        return None
    subscriber = await get_subscriber(session, subscriber_id)
    if subscriber.unsubscribed_at is not None:
        raise InvalidInput("this subscription was cancelled; subscribe again", field="code")
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
