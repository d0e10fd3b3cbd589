"""Writing the outbox: what a publish or a status change must send, in the same transaction.

Fan-out is one set-based `INSERT ... SELECT` per event, however many subscribers there are;
who receives what is decided by `app.audience` and the subscriber's component filter.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience as aud
from app.accounts.actor import USER_ID
from app.accounts.models import Role, User
from app.components.models import Component
from app.delivery.channels import CHANNELS
from app.delivery.models import ComponentChange, Delivery, DeliveryState, Message
from app.delivery.wakeup import outbox_written
from app.incidents.models import Incident, IncidentComponent, Update
from app.incidents.status import FINAL_STATUSES, UpdateState
from app.lib.clock import utcnow
from app.subscribers.models import Subscriber, SubscriberKind, subscriber_components


def _wants_incident(incident: Incident) -> ColumnElement[bool]:
    """All-components subscribers, or those who chose one of the incident's components.

    An incident that names no component concerns the whole page and reaches everyone.
    """
    if not incident.components:
        return literal(True)
    return or_(
        Subscriber.all_components.is_(True),
        exists(
            select(1)
            .select_from(subscriber_components)
            .join(
                IncidentComponent,
                IncidentComponent.component_id == subscriber_components.c.component_id,
            )
            .where(
                subscriber_components.c.subscriber_id == Subscriber.id,
                IncidentComponent.incident_id == incident.id,
            )
        ),
    )


def _follows(incident: Incident, update: Update) -> ColumnElement[bool]:
    """Page subscribers, and followers of this incident up to the update that resolves it:
    once a final update has gone out, following has ended (they were told so: a postmortem
    reaches page subscribers, not them)."""
    ended = exists(
        select(1).where(
            Update.incident_id == incident.id,
            Update.id != update.id,
            Update.state == UpdateState.PUBLISHED.value,
            Update.status.in_(FINAL_STATUSES),
        )
    )
    return Subscriber.incident_id.is_(None) | ((Subscriber.incident_id == incident.id) & ~ended)


async def _insert_for(
    session: AsyncSession,
    where: ColumnElement[bool],
    *,
    message: Message,
    update_id: str | None = None,
    component_change_id: str | None = None,
    now: datetime | None = None,
) -> int:
    now = now or utcnow()
    stamp_type = Delivery.__table__.c.created_at.type
    rows = select(
        Subscriber.id,
        Subscriber.kind,
        literal(message.value),
        literal(update_id),
        literal(component_change_id),
        literal(DeliveryState.PENDING.value),
        literal(0),
        literal(now, stamp_type),
        literal(now, stamp_type),
    ).where(where)
    result = await session.execute(
        insert(Delivery).from_select(
            [
                "subscriber_id",
                "channel",
                "message",
                "update_id",
                "component_change_id",
                "state",
                "attempts",
                "next_attempt_at",
                "created_at",
            ],
            rows,
        )
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        outbox_written(session)  # the worker wakes when this commits, not at its next poll
    return count


async def left_out_kinds(session: AsyncSession, incident: Incident, update: Update) -> list[str]:
    """The channels that do not carry these words (SMS carries only some updates)."""
    choosy = {kind: c.carries for kind, c in CHANNELS.items() if c.carries is not None}
    if not choosy:
        return []
    first = not await session.scalar(
        select(
            exists().where(
                Update.incident_id == incident.id,
                Update.id != update.id,
                Update.state == UpdateState.PUBLISHED.value,
            )
        )
    )
    return [kind for kind, says in choosy.items() if not says(incident, update, first)]


async def _update_recipients(
    session: AsyncSession, incident: Incident, update: Update
) -> ColumnElement[bool]:
    """The subscribers an update reaches when published: the audience rule's, narrowed to
    those who chose its components, for followers to incidents still followed, and to the
    channels that carry these words (SMS carries only some)."""
    where = (
        aud.update_recipients_where(Subscriber, incident=incident, update=update)
        & _wants_incident(incident)
        & _follows(incident, update)
    )
    left_out = await left_out_kinds(session, incident, update)
    if left_out:
        where = where & Subscriber.kind.not_in(left_out)
    return where


async def enqueue_update(session: AsyncSession, *, update: Update, incident: Incident) -> int:
    """One delivery per subscriber this published update may reach; returns how many."""
    if not update.deliver_notifications:
        return 0
    where = await _update_recipients(session, incident, update)
    return await _insert_for(session, where, message=Message.INCIDENT_UPDATE, update_id=update.id)


async def update_recipient_counts(
    session: AsyncSession, *, update: Update, incident: Incident
) -> list[tuple[str, str | None, int]]:
    """Who publishing `update` now would send to, as (channel, customer id or None for the
    public's subscribers, count): the same condition `enqueue_update` inserts by."""
    rows = await session.execute(
        select(Subscriber.kind, Subscriber.customer_id, func.count())
        .where(await _update_recipients(session, incident, update))
        .group_by(Subscriber.kind, Subscriber.customer_id)
    )
    return [(kind, customer_id, int(count)) for kind, customer_id, count in rows.all()]


async def enqueue_component_change(
    session: AsyncSession, *, component: Component, old_status: str, new_status: str
) -> int:
    """Tell the webhook subscribers of a component that its status changed."""
    if old_status == new_status:
        return 0
    change = ComponentChange(
        component_id=component.id, old_status=old_status, new_status=new_status
    )
    session.add(change)
    await session.flush()
    wants = or_(
        Subscriber.all_components.is_(True),
        exists(
            select(1).where(
                subscriber_components.c.subscriber_id == Subscriber.id,
                subscriber_components.c.component_id == component.id,
            )
        ),
    )
    # Only the channels that carry a component's change hear of it (webhooks): emails are
    # about incidents.
    carriers = [kind for kind, c in CHANNELS.items() if c.component_message is not None]
    where = (
        aud.component_change_recipients_where(Subscriber)
        & Subscriber.kind.in_(carriers)
        & Subscriber.incident_id.is_(None)
        & wants
    )
    return await _insert_for(
        session, where, message=Message.COMPONENT_UPDATE, component_change_id=change.id
    )


def confirmation_delivery(subscriber: Subscriber) -> Delivery:
    """The one message an unconfirmed subscriber may receive: for an address, the link that
    confirms it; for a webhook, a signed first delivery that confirms it when accepted. An
    address asked for again once confirmed is told that it is subscribed instead."""
    now = utcnow()
    again = subscriber.confirmed_at is not None
    return Delivery(
        subscriber_id=subscriber.id,
        channel=subscriber.kind,
        message=(Message.ALREADY_SUBSCRIBED if again else Message.CONFIRMATION).value,
        state=DeliveryState.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


async def enqueue_author_notice(
    session: AsyncSession,
    *,
    author_id: str | None,
    by: str,
    by_id: str,
    incident: Incident,
    published: bool,
    reason: str | None = None,
) -> bool:
    """Tell a draft's author, by email, that a reviewer published it or sent it back, if
    the author is a desk user who gave an address and asked for it. Nothing for words
    their own author published, nor for authors who are API keys or gone."""
    if not author_id or author_id == by_id or not author_id.startswith(USER_ID):
        return False
    user = await session.get(User, author_id.removeprefix(USER_ID))
    if user is None or not user.notify_me or not user.email:
        return False
    notice = {
        "event": "published" if published else "sent_back",
        "by": by,
        "reason": reason,
        "incident_id": incident.id,
        "incident_title": incident.title,
    }
    now = utcnow()
    session.add(
        Delivery(
            user_id=user.id,
            channel=SubscriberKind.EMAIL.value,
            message=Message.AUTHOR_NOTICE.value,
            notice=json.dumps(notice),
            state=DeliveryState.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    outbox_written(session)
    return True


async def enqueue_promise_nudge(
    session: AsyncSession,
    *,
    incident: Incident,
    due_at: datetime,
    kind: str,
    team_channels: list[str],
) -> int:
    """Tell the team that `incident`'s promised update (due at `due_at`) is due soon or
    lapsed (`kind`): an email to each comms lead who gave an address, and a message to each
    of the team's own chat channels (`team_channels`: channel kinds, "slack" or "teams").
    Returns how many rows were queued."""
    leads = await session.scalars(
        select(User.id).where(
            User.role == Role.COMMS_LEAD.value, User.email.is_not(None), User.email != ""
        )
    )
    notice = json.dumps(
        {
            "kind": kind,
            "incident_id": incident.id,
            "incident_title": incident.title,
            "due_at": due_at.isoformat(),
        }
    )
    now = utcnow()
    rows = [(SubscriberKind.EMAIL.value, user_id) for user_id in leads]
    rows += [(channel, None) for channel in team_channels]
    for channel, user_id in rows:
        session.add(
            Delivery(
                user_id=user_id,
                channel=channel,
                message=Message.PROMISE_NUDGE.value,
                notice=notice,
                state=DeliveryState.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    if rows:
        outbox_written(session)
    return len(rows)
