"""Rules of the incident lifecycle: open, edit, decline; the updates on the timeline.

Each verb checks who may do it (`app.accounts.permissions`) and which moves its lifecycle
allows (`app.incidents.status`), whoever calls it. Nothing here publishes or sends: words
are published, their audience recorded and their deliveries queued, in one transaction, only
by `app.comms.review.publishing.publish_update` (the one caller of `_mark_published`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.components.service import get_components
from app.customers.service import check_customer_ids
from app.db.changes import mark_changed
from app.incidents import links
from app.incidents.audit import audit
from app.incidents.inputs import aware, changed_facts, clean_body, clean_title
from app.incidents.models import Incident, Update
from app.incidents.schemas import IncidentCreate, IncidentUpdate, UpdateCreate
from app.incidents.status import (
    OPEN_STATUSES,
    POSTMORTEM,
    IncidentKind,
    IncidentStatus,
    MaintenanceStatus,
    UpdateAction,
    UpdateState,
    check_update_status,
    default_visibility,
    is_open,
    next_update_state,
    parse_status,
)
from app.incidents.timing import promise_when_published, stamp_status
from app.incidents.translations import clean_translations
from app.lib.clock import utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound
from app.lib.languages import DEFAULT_LANGUAGE

DIRECT_PUBLISH = "published directly by its author, without the review queue"


async def get_incident(session: AsyncSession, incident_id: str) -> Incident:
    incident = await session.get(
        Incident, incident_id, options=[selectinload(Incident.updates)], populate_existing=True
    )
    if incident is None:
        raise NotFound(f"no incident with id {incident_id!r}")
    return incident


async def list_incidents(
    session: AsyncSession,
    *,
    kind: IncidentKind | None = None,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[Incident]:
    query = select(Incident).options(selectinload(Incident.updates))
    if kind is not None:
        query = query.where(Incident.kind == kind.value)
    if open_only:
        # The open statuses by name, not "not final": the status index finds the few open
        # ones, where NOT IN walked the whole history in date order to find them.
        query = query.where(Incident.status.in_(sorted(OPEN_STATUSES)))
    query = query.order_by(Incident.started_at.desc(), Incident.id).limit(limit).offset(offset)
    return list((await session.scalars(query)).all())


def has_published_words(incident: Incident) -> bool:
    return any(u.state == UpdateState.PUBLISHED for u in incident.updates)


def has_submitted_words(incident: Incident) -> bool:
    """Words waiting in the approval queue, bound to who the incident reaches now."""
    return any(u.state == UpdateState.SUBMITTED for u in incident.updates)


async def open_incident(session: AsyncSession, *, actor: Actor, data: IncidentCreate) -> Incident:
    """Declare an incident; with a `body`, also write its first update as a draft.

    Nothing here publishes: `app.comms.review.publishing.open_incident` publishes and sends."""
    permissions.require(actor, Act.OPEN_INCIDENT)
    status = parse_status(IncidentKind.INCIDENT, data.status or IncidentStatus.INVESTIGATING)
    incident = Incident(
        kind=IncidentKind.INCIDENT.value,
        title=clean_title(data.title),
        status=status,
        impact=data.impact.value,
        visibility=(data.visibility or default_visibility(data.customers)).value,
        started_at=aware(data.started_at, "started_at") or utcnow(),
        created_by=actor.name,
        components=[],
        customer_links=[],
    )
    session.add(incident)
    await links.set_components(session, incident, data.components)
    await links.set_customers(session, incident, data.customers)
    await session.flush()
    detail = {"title": incident.title, "visibility": incident.visibility}
    await audit(session, actor, "incident.open", incident, detail)
    if data.body:
        await post_update(
            session,
            actor=actor,
            incident_id=incident.id,
            # `publish` is refused there: publishing is app.comms.review.publishing's.
            data=UpdateCreate(status=status, body=data.body, publish=data.publish),
        )
    return await get_incident(session, incident.id)


async def edit_incident(
    session: AsyncSession,
    *,
    actor: Actor,
    incident_id: str,
    data: IncidentUpdate,
    approved_ahead: bool = False,
) -> Incident:
    """Change an incident's facts. Once it has published or pending words, changing who
    reads them (or, once published, the title everyone reads) needs someone who may
    publish (see `permissions`). `approved_ahead`: the caller knows of words approved in
    advance (a maintenance plan's), pending too."""
    incident = await get_incident(session, incident_id)
    permissions.require_edit_incident(
        actor,
        has_published_words=has_published_words(incident),
        has_pending_words=approved_ahead or has_submitted_words(incident),
        changed=changed_facts(incident, data),
    )
    changed: dict[str, object] = {}
    if data.title is not None:
        incident.title = changed["title"] = clean_title(data.title)
    if data.impact is not None:
        incident.impact = changed["impact"] = data.impact.value
    if data.visibility is not None:
        incident.visibility = changed["visibility"] = data.visibility.value
    if data.components is not None:
        await links.set_components(session, incident, data.components)
        changed["components"] = {a.id: a.status.value for a in data.components}
    if data.customers is not None:
        await links.set_customers(session, incident, data.customers)
        changed["customers"] = data.customers
    if data.scheduled_for is not None or data.scheduled_until is not None:
        if incident.kind != IncidentKind.MAINTENANCE:
            raise InvalidInput("only maintenance has a schedule", field="scheduled_for")
        starts = aware(data.scheduled_for, "scheduled_for") or incident.scheduled_for
        ends = aware(data.scheduled_until, "scheduled_until") or incident.scheduled_until
        if starts and ends and ends <= starts:
            raise InvalidInput(
                "scheduled_until must be after scheduled_for", field="scheduled_until"
            )
        incident.scheduled_for, incident.scheduled_until = starts, ends
        if starts:
            incident.started_at = starts
        changed["schedule"] = True
    incident.updated_at = utcnow()
    await session.flush()
    await audit(session, actor, "incident.edit", incident, {"changed": list(changed)})
    await mark_changed(session, incident_id=incident.id)
    return await get_incident(session, incident.id)


async def get_update(session: AsyncSession, update_id: str) -> Update:
    update = await session.get(Update, update_id)
    if update is None:
        raise NotFound(f"no update with id {update_id!r}")
    return update


async def list_updates(
    session: AsyncSession, *, incident_id: str, states: list[UpdateState] | None = None
) -> list[Update]:
    query = select(Update).where(Update.incident_id == incident_id)
    if states:
        query = query.where(Update.state.in_([s.value for s in states]))
    return list((await session.scalars(query.order_by(Update.created_at.desc()))).all())


async def post_update(
    session: AsyncSession,
    *,
    actor: Actor,
    incident_id: str,
    data: UpdateCreate,
    site_language: str = DEFAULT_LANGUAGE,
) -> Update:
    """Write a timeline entry, kept as a draft that nobody outside the team sees.

    `body` is in `site_language`; `data.translations` the same words in others (a 422
    names an unknown language, the site's own, or blank words).

    There is no publishing here: words are published (and sent, and their audience
    recorded) only by `app.comms.review.publishing`, so `publish` is refused rather than ignored.
    """
    permissions.require(actor, Act.DRAFT)
    if data.publish:
        raise ValueError("publish words with app.comms.review.publishing.post_update, not here")
    incident = await get_incident(session, incident_id)
    check_update_status(IncidentKind(incident.kind), incident.status, data.status)
    customer_id = None
    if data.customer is not None:
        (customer_id,) = await check_customer_ids(session, [data.customer], field="customer")
    planned = None
    if data.components is not None:
        await get_components(session, [a.id for a in data.components], field="components")
        planned = [{"code": a.id, "new_status": a.status.value} for a in data.components]
    update = Update(
        incident_id=incident.id,
        status=data.status,
        body=clean_body(data.body),
        translations=clean_translations(data.translations, site_language=site_language),
        author=actor.name,
        author_id=actor.id,
        state=UpdateState.DRAFT.value,
        customer_id=customer_id,
        deliver_notifications=data.deliver_notifications,
        next_update_at=aware(data.next_update_at, "next_update_at"),
        affected_components=planned,
    )
    session.add(update)
    await session.flush()
    await audit(session, actor, "update.create", update, {"status": data.status})
    return update


async def _mark_published(
    session: AsyncSession,
    *,
    actor: Actor,
    update: Update,
    waiver: str | None = None,
    review_required: bool = True,
    notified: bool = True,
) -> Incident:
    """Publish an update on its incident's timeline: the incident moves to the update's
    status, its components to the statuses the update carries. Returns the incident.

    Private to `app.comms.review.publishing.publish_update`, the one publishing verb, which
    records the words' audience and queues their deliveries in the same transaction: a
    publish that tells nobody is not reachable from here by accident.

    `actor` must be allowed to publish; `review_required=False` (only from the stored
    approval policy) lets a draft's own author publish it. `waiver` names the policy that
    let the words skip review, and `notified=False` that nobody was told (history), for the
    audit log.
    """
    permissions.require_publish(actor, author_id=update.author_id, review_required=review_required)
    if update.state == UpdateState.PUBLISHED:
        raise Conflict(f"update {update.id} is already published")
    next_update_state(update.state, UpdateAction.PUBLISH)
    incident = await get_incident(session, update.incident_id)
    if incident.declined_at is not None:
        raise Conflict(f"incident {incident.id} was declined as noise; it says nothing outside")
    check_update_status(IncidentKind(incident.kind), incident.status, update.status)
    if update.status == POSTMORTEM:
        await _refuse_second_postmortem(session, update)
    now = utcnow()

    before = links.statuses(incident)
    merged = links.planned(incident, update)
    if merged is not None:
        await links.set_components(session, incident, merged)
        await session.flush()
        incident = await get_incident(session, incident.id)
    update.affected_components = links.component_record(incident, before)

    if update.status != incident.status and update.status != POSTMORTEM:
        stamp_status(incident, update.status, now)
        incident.status = update.status
    # "In N minutes" counts from now, when readers first see the words.
    update.next_update_at = promise_when_published(update, incident, now)
    incident.next_update_at = update.next_update_at if is_open(incident.status) else None
    incident.updated_at = now
    update.state = UpdateState.PUBLISHED.value
    update.published_at = now
    update.published_by = actor.name
    await session.flush()
    detail: dict[str, object] = {"status": update.status}
    if waiver:
        detail["waiver"] = waiver
    if not notified:
        detail["notified"] = "nobody: written as history, not sent"
    await audit(session, actor, "update.publish", update, detail)
    await mark_changed(session, incident_id=incident.id)
    return incident


async def _refuse_second_postmortem(session: AsyncSession, update: Update) -> None:
    """One postmortem per reader: a second one for the same readers is an edit of the first."""
    same_readers = (
        Update.customer_id.is_(None)
        if update.customer_id is None
        else Update.customer_id == update.customer_id
    )
    published = await session.scalar(
        select(Update.id).where(
            Update.incident_id == update.incident_id,
            Update.status == POSTMORTEM,
            Update.state == UpdateState.PUBLISHED.value,
            Update.id != update.id,
            same_readers,
        )
    )
    if published is not None:
        raise Conflict(
            f"this incident already has a published postmortem ({published}); edit it instead",
            field="status",
        )


async def edit_update(
    session: AsyncSession,
    *,
    actor: Actor,
    update_id: str,
    body: str | None = None,
    deliver_notifications: bool | None = None,
) -> Update:
    """Change an update's words where they stand. A draft is its author's (or a comms
    lead's) to change; published words change as they are, so only someone who may publish
    changes them; words waiting in the queue wait as the reviewer sees them."""
    update = await get_update(session, update_id)
    permissions.require_edit_update(
        actor, author_id=update.author_id, published=update.state == UpdateState.PUBLISHED
    )
    next_update_state(update.state, UpdateAction.AMEND)
    changed = []
    if body is not None:
        update.body = clean_body(body)
        changed.append("body")
    if deliver_notifications is not None:
        update.deliver_notifications = deliver_notifications
        changed.append("deliver_notifications")
    update.updated_at = utcnow()
    await session.flush()
    await audit(session, actor, "update.edit", update, {"changed": changed})
    if update.state == UpdateState.PUBLISHED:
        await mark_changed(session, incident_id=update.incident_id)
    return update


async def decline_incident(
    session: AsyncSession, *, actor: Actor, incident_id: str, reason: str
) -> Incident:
    """Close an incident as declined (noise, not real): it counts for nothing outside the
    team. Only an incident with no published words may be declined; one that customers have
    read about is resolved instead."""
    permissions.require(actor, Act.OPEN_INCIDENT)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("reason must not be blank", field="reason")
    incident = await get_incident(session, incident_id)
    if incident.declined_at is not None:
        raise Conflict(f"incident {incident.id} is already declined")
    if has_published_words(incident):
        raise Conflict(
            f"incident {incident.id} has published updates; resolve it instead of declining"
        )
    now = utcnow()
    final = (
        IncidentStatus.RESOLVED
        if incident.kind == IncidentKind.INCIDENT
        else MaintenanceStatus.COMPLETED
    )
    incident.status = final.value
    incident.resolved_at = incident.declined_at = incident.updated_at = now
    incident.next_update_at = None
    await session.flush()
    await audit(session, actor, "incident.decline", incident, {"reason": reason})
    await mark_changed(session, incident_id=incident.id)
    return incident


async def delete_incident(session: AsyncSession, *, actor: Actor, incident_id: str) -> None:
    """Remove an incident and its timeline (the Statuspage manage API's DELETE)."""
    permissions.require(actor, Act.DELETE_INCIDENT)
    incident = await get_incident(session, incident_id)
    await session.delete(incident)
    await audit(session, actor, "incident.delete", incident, {"title": incident.title})
    await session.flush()
    await mark_changed(session, incident_id=incident_id)
