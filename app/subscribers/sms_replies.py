"""What a text sent back to our SMS number does: STOP and its synonyms stop every SMS
subscription of that number at once, START and its synonyms take them up again, HELP says
what the number is and how to stop it. Anything else is ignored.

The words are the carriers' (and Twilio's) standard keywords; the reply webhook checks
Twilio's signature before calling `reply`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.lib.clock import utcnow
from app.subscribers.models import Subscriber, SubscriberKind

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
# Why a number was stopped, as the desk shows it; START lifts only this stop (a number the
# team disabled for another reason stays disabled).
STOPPED_BY_REPLY = "the number replied STOP"
REPLIES = "sms-reply"


def keyword(body: str) -> str:
    """The reply's keyword: its first word, in capitals, without punctuation."""
    words = body.strip().split()
    return words[0].strip(".!?,;:").upper() if words else ""


async def reply(session: AsyncSession, *, number: str, body: str, page_name: str) -> str | None:
    """Act on a reply from `number`; the help text to answer with, or None."""
    word = keyword(body)
    if word in STOP_WORDS:
        await _stop(session, number)
    elif word in START_WORDS:
        await _start(session, number)
    elif word in HELP_WORDS:
        return (
            f"{page_name} status updates by SMS. Reply STOP to stop them, START to take them "
            "up again."
        )
    return None


async def _subscriptions(session: AsyncSession, number: str) -> list[Subscriber]:
    rows = await session.scalars(
        select(Subscriber).where(
            Subscriber.kind == SubscriberKind.SMS.value, Subscriber.address == number
        )
    )
    return list(rows)


async def _stop(session: AsyncSession, number: str) -> None:
    now = utcnow()
    for subscriber in await _subscriptions(session, number):
        if subscriber.disabled_at is None:
            subscriber.disabled_at = now
            subscriber.disabled_reason = STOPPED_BY_REPLY
            await record(
                session,
                actor=REPLIES,
                action="subscriber.disable",
                subject_type="subscriber",
                subject_id=subscriber.id,
                detail={"reason": STOPPED_BY_REPLY},
            )
    await session.flush()


async def _start(session: AsyncSession, number: str) -> None:
    for subscriber in await _subscriptions(session, number):
        if _stopped_by_reply(subscriber):
            subscriber.disabled_at = None
            subscriber.disabled_reason = None
            await record(
                session,
                actor=REPLIES,
                action="subscriber.enable",
                subject_type="subscriber",
                subject_id=subscriber.id,
            )
    await session.flush()


def _stopped_by_reply(subscriber: Subscriber) -> bool:
    """Disabled by a STOP: its own, or Twilio's refusal to send (code 21610: the number had
    replied STOP to Twilio before we heard it)."""
    reason = subscriber.disabled_reason or ""
    return subscriber.disabled_at is not None and (
        reason == STOPPED_BY_REPLY or "code 21610" in reason
    )
