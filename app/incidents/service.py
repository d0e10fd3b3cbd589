"""Rules of the incident lifecycle: open, edit, post updates, publish them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts.actor import Actor
from app.audit.service import record
from app.components.service import get_components
from app.components.status import ComponentStatus
from app.customers.service import check_customer_ids
from app.db.changes import mark_changed
from app.delivery.outbox import enqueue_update
from app.incidents.models import Incident, IncidentComponent, IncidentCustomer, Update
from app.incidents.schemas import (
    AffectedComponent,
    IncidentCreate,
    IncidentUpdate,
    MaintenanceCreate,
    UpdateCreate,
)
from app.incidents.status import (
    Impact,
    IncidentKind,
    IncidentStatus,
    MaintenanceStatus,
    UpdateState,
    check_transition,
    is_open,
    parse_status,
)
from app.lib.clock import as_utc, utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound, PermissionDenied

MAX_BODY = 20_000
DIRECT_PUBLISH = "published directly by its author, without the review queue"


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("title must not be blank", field="title")
    if len(title) > 300:
        raise InvalidInput("title must be at most 300 characters", field="title")
    return title


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput("body must not be blank", field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"body must be at most {MAX_BODY} characters", field="body")
    return body


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise InvalidInput(
            f"{field} must carry a time zone (e.g. 2026-11-29T10:00:00Z)", field=field
        )
    return as_utc(value)


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
        query = query.where(
            Incident.status.not_in(
                [IncidentStatus.RESOLVED.value, MaintenanceStatus.COMPLETED.value]
            )
        )
    query = query.order_by(Incident.started_at.desc(), Incident.id).limit(limit).offset(offset)
    return list((await session.scalars(query)).all())


async def _set_components(
    session: AsyncSession, incident: Incident, affected: list[AffectedComponent]
) -> None:
    ids = [a.id for a in affected]
    if len(set(ids)) != len(ids):
        raise InvalidInput("components: each component may be listed once", field="components")
    await get_components(session, ids, field="components")
    statuses = {a.id: a.status.value for a in affected}
    kept = []
    for link in incident.components:
        if link.component_id in statuses:
            link.status = statuses.pop(link.component_id)
            kept.append(link)
    incident.components = kept + [
        IncidentComponent(component_id=cid, status=status) for cid, status in statuses.items()
    ]


async def _set_customers(session: AsyncSession, incident: Incident, ids: list[str]) -> None:
    ids = await check_customer_ids(session, ids, field="customers")
    incident.customer_links = [IncidentCustomer(customer_id=cid) for cid in ids]


async def open_incident(session: AsyncSession, *, actor: Actor, data: IncidentCreate) -> Incident:
    """Declare an incident; with a `body`, also write its first update."""
    status = parse_status(IncidentKind.INCIDENT, data.status or IncidentStatus.INVESTIGATING)
    incident = Incident(
        kind=IncidentKind.INCIDENT.value,
        title=_clean_title(data.title),
        status=status,
        impact=data.impact.value,
        visibility=data.visibility.value,
        started_at=_aware(data.started_at, "started_at") or utcnow(),
        created_by=actor.name,
        components=[],
        customer_links=[],
    )
    session.add(incident)
    await _set_components(session, incident, data.components)
    await _set_customers(session, incident, data.customers)
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="incident.open",
        subject_type="incident",
        subject_id=incident.id,
        incident_id=incident.id,
        detail={"title": incident.title, "visibility": incident.visibility},
    )
    if data.body:
        await post_update(
            session,
            actor=actor,
            incident_id=incident.id,
            data=UpdateCreate(status=status, body=data.body, publish=data.publish),
        )
    return await get_incident(session, incident.id)


async def schedule_maintenance(
    session: AsyncSession, *, actor: Actor, data: MaintenanceCreate
) -> Incident:
    starts = _aware(data.scheduled_for, "scheduled_for")
    ends = _aware(data.scheduled_until, "scheduled_until")
    assert starts is not None and ends is not None
    if ends <= starts:
        raise InvalidInput("scheduled_until must be after scheduled_for", field="scheduled_until")
    incident = Incident(
        kind=IncidentKind.MAINTENANCE.value,
        title=_clean_title(data.title),
        status=MaintenanceStatus.SCHEDULED.value,
        impact=data.impact.value,
        visibility=data.visibility.value,
        started_at=starts,
        scheduled_for=starts,
        scheduled_until=ends,
        created_by=actor.name,
        components=[],
        customer_links=[],
    )
    session.add(incident)
    await _set_components(session, incident, data.components)
    await _set_customers(session, incident, data.customers)
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="maintenance.schedule",
        subject_type="incident",
        subject_id=incident.id,
        incident_id=incident.id,
        detail={"title": incident.title},
    )
    if data.body:
        await post_update(
            session,
            actor=actor,
            incident_id=incident.id,
            data=UpdateCreate(
                status=MaintenanceStatus.SCHEDULED.value, body=data.body, publish=data.publish
            ),
        )
    return await get_incident(session, incident.id)


async def edit_incident(
    session: AsyncSession, *, actor: Actor, incident_id: str, data: IncidentUpdate
) -> Incident:
    incident = await get_incident(session, incident_id)
    changed: dict[str, object] = {}
    if data.title is not None:
        incident.title = changed["title"] = _clean_title(data.title)
    if data.impact is not None:
        incident.impact = changed["impact"] = data.impact.value
    if data.visibility is not None:
        incident.visibility = changed["visibility"] = data.visibility.value
    if data.components is not None:
        await _set_components(session, incident, data.components)
        changed["components"] = {a.id: a.status.value for a in data.components}
    if data.customers is not None:
        await _set_customers(session, incident, data.customers)
        changed["customers"] = data.customers
    if data.scheduled_for is not None or data.scheduled_until is not None:
        if incident.kind != IncidentKind.MAINTENANCE:
            raise InvalidInput("only maintenance has a schedule", field="scheduled_for")
        starts = _aware(data.scheduled_for, "scheduled_for") or incident.scheduled_for
        ends = _aware(data.scheduled_until, "scheduled_until") or incident.scheduled_until
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
    await record(
        session,
        actor=actor.name,
        action="incident.edit",
        subject_type="incident",
        subject_id=incident.id,
        incident_id=incident.id,
        detail={"changed": list(changed)},
    )
    await mark_changed(session)
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
    session: AsyncSession, *, actor: Actor, incident_id: str, data: UpdateCreate
) -> Update:
    """Write a timeline entry: published at once when asked by someone who may publish,
    otherwise kept as a draft that nobody outside the team sees."""
    incident = await get_incident(session, incident_id)
    kind = IncidentKind(incident.kind)
    check_transition(kind, incident.status, data.status)
    if data.publish and not actor.may_publish:
        raise PermissionDenied(
            f"a {actor.role.value} key may not publish; drop `publish` to store a draft for "
            "approval",
            field="publish",
        )
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
        body=_clean_body(data.body),
        author=actor.name,
        state=UpdateState.DRAFT.value,
        customer_id=customer_id,
        deliver_notifications=data.deliver_notifications,
        next_update_at=_aware(data.next_update_at, "next_update_at"),
        affected_components=planned,
    )
    session.add(update)
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="update.create",
        subject_type="update",
        subject_id=update.id,
        incident_id=incident.id,
        detail={"status": data.status},
    )
    if data.publish:
        # Words published straight from the API skip the desk's queue: their author, who
        # may publish, approves them alone, and the audit log says so (invariant 5). The
        # desk's four-eyes rule applies to drafts sent for review.
        await publish_update(session, actor=actor, update=update, waiver=DIRECT_PUBLISH)
    return update


async def publish_update(
    session: AsyncSession, *, actor: Actor, update: Update, waiver: str | None = None
) -> Update:
    """Make an update public to its audience and move the incident to the update's status.

    The caller has checked that `actor` may publish (policy); `waiver` names the policy
    that let it skip review, for the audit log.
    """
    if update.state == UpdateState.PUBLISHED:
        raise Conflict(f"update {update.id} is already published")
    incident = await get_incident(session, update.incident_id)
    if incident.declined_at is not None:
        raise Conflict(f"incident {incident.id} was declined as noise; it says nothing outside")
    kind = IncidentKind(incident.kind)
    check_transition(kind, incident.status, update.status)
    now = utcnow()

    before = {link.component_id: link.status for link in incident.components}
    planned = {p["code"]: p["new_status"] for p in update.affected_components or []}
    if planned:
        merged = {**before, **planned}
        await _set_components(
            session,
            incident,
            [
                AffectedComponent(id=cid, status=ComponentStatus(status))
                for cid, status in merged.items()
            ],
        )
        await session.flush()
        incident = await get_incident(session, incident.id)
    update.affected_components = [
        {
            "code": link.component_id,
            "name": link.component.name,
            "old_status": before.get(link.component_id, ComponentStatus.OPERATIONAL.value),
            "new_status": link.status,
        }
        for link in incident.components
    ]

    if update.status != incident.status:
        _stamp_status(incident, update.status, now)
        incident.status = update.status
    if update.next_update_at is None and is_open(incident.status):
        update.next_update_at = default_next_update_at(incident, now)
    incident.next_update_at = update.next_update_at if is_open(incident.status) else None
    incident.updated_at = now
    update.state = UpdateState.PUBLISHED.value
    update.published_at = now
    update.published_by = actor.name
    await session.flush()
    detail: dict[str, object] = {"status": update.status}
    if waiver:
        detail["waiver"] = waiver
    await record(
        session,
        actor=actor.name,
        action="update.publish",
        subject_type="update",
        subject_id=update.id,
        incident_id=incident.id,
        detail=detail,
    )
    await mark_changed(session)
    # Same transaction: the outbox rows exist exactly when the update is published.
    await enqueue_update(session, update=update, incident=incident)
    return update


def default_next_update_at(incident: Incident, now: datetime) -> datetime | None:
    """When customers hear from us next, unless the writer said: sooner for bigger impact.

    A scheduled maintenance that has not started promises nothing (its window is the promise).
    """
    if incident.status == MaintenanceStatus.SCHEDULED:
        return None
    minutes = 30 if incident.impact in (Impact.MAJOR, Impact.CRITICAL) else 120
    return now + timedelta(minutes=minutes)


def _stamp_status(incident: Incident, status: str, now: datetime) -> None:
    if status == IncidentStatus.IDENTIFIED and incident.identified_at is None:
        incident.identified_at = now
    elif status == IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = now
    elif status in (IncidentStatus.RESOLVED, MaintenanceStatus.COMPLETED):
        incident.resolved_at = now
    elif status == MaintenanceStatus.IN_PROGRESS:
        incident.started_at = now


async def count_incidents(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Incident)) or 0


async def edit_update(
    session: AsyncSession,
    *,
    actor: Actor,
    update_id: str,
    body: str | None = None,
    deliver_notifications: bool | None = None,
) -> Update:
    """Change an update's words; published words may only be changed by someone who may
    publish, since the change goes out as it is."""
    update = await get_update(session, update_id)
    if update.state == UpdateState.PUBLISHED and not actor.may_publish:
        raise PermissionDenied(
            f"update {update.id} is published; a {actor.role.value} key may not change "
            "published words",
            field="body",
        )
    changed = []
    if body is not None:
        update.body = _clean_body(body)
        changed.append("body")
    if deliver_notifications is not None:
        update.deliver_notifications = deliver_notifications
        changed.append("deliver_notifications")
    update.updated_at = utcnow()
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="update.edit",
        subject_type="update",
        subject_id=update.id,
        incident_id=update.incident_id,
        detail={"changed": changed},
    )
    if update.state == UpdateState.PUBLISHED:
        await mark_changed(session)
    return update


async def decline_incident(
    session: AsyncSession, *, actor: Actor, incident_id: str, reason: str
) -> Incident:
    """Close an incident as declined (noise, not real): it counts for nothing outside the
    team. Only an incident with no published words may be declined; one that customers have
    read about is resolved instead."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("reason must not be blank", field="reason")
    incident = await get_incident(session, incident_id)
    if incident.declined_at is not None:
        raise Conflict(f"incident {incident.id} is already declined")
    if any(u.state == UpdateState.PUBLISHED for u in incident.updates):
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
    await record(
        session,
        actor=actor.name,
        action="incident.decline",
        subject_type="incident",
        subject_id=incident.id,
        incident_id=incident.id,
        detail={"reason": reason},
    )
    await mark_changed(session)
    return incident


async def delete_incident(session: AsyncSession, *, actor: Actor, incident_id: str) -> None:
    """Remove an incident and its timeline (the Statuspage manage API's DELETE)."""
    incident = await get_incident(session, incident_id)
    await session.delete(incident)
    await record(
        session,
        actor=actor.name,
        action="incident.delete",
        subject_type="incident",
        subject_id=incident_id,
        incident_id=incident_id,
        detail={"title": incident.title},
    )
    await session.flush()
    await mark_changed(session)
