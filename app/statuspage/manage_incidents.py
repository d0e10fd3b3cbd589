"""Statuspage's incidents, as the Manage API v1 sends them, through our incidents' verbs.

Statuspage's words map onto ours: an incident's `name` is our title, `components` (a map of
component id -> status) and `component_ids` are the components it affects, a `body` is a
new update on the timeline, maintenance statuses and incident statuses map onto each other.
Words from a key that may not publish become drafts, exactly as with our own API.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts.actor import Actor
from app.comms.review import publishing
from app.components.status import ComponentStatus
from app.incidents import service as incidents
from app.incidents.maintenance import schedule_maintenance
from app.incidents.models import Incident, Update
from app.incidents.schemas import (
    AffectedComponent,
    IncidentCreate,
    IncidentUpdate,
    MaintenanceCreate,
    UpdateCreate,
)
from app.incidents.status import (
    FINAL_STATUSES,
    Impact,
    IncidentKind,
    IncidentStatus,
    MaintenanceStatus,
)
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput, NotFound
from app.lib.moments import DatedRequest
from app.statuspage.manage_components import component_status

# Statuspage status words -> ours, per kind. `postmortem` closes like `resolved`.
_AS_INCIDENT = {
    "investigating": IncidentStatus.INVESTIGATING,
    "identified": IncidentStatus.IDENTIFIED,
    "monitoring": IncidentStatus.MONITORING,
    "resolved": IncidentStatus.RESOLVED,
    "postmortem": IncidentStatus.RESOLVED,
    "scheduled": IncidentStatus.INVESTIGATING,
    "in_progress": IncidentStatus.IDENTIFIED,
    "verifying": IncidentStatus.MONITORING,
    "completed": IncidentStatus.RESOLVED,
}
_AS_MAINTENANCE = {
    "scheduled": MaintenanceStatus.SCHEDULED,
    "in_progress": MaintenanceStatus.IN_PROGRESS,
    "verifying": MaintenanceStatus.VERIFYING,
    "completed": MaintenanceStatus.COMPLETED,
    "investigating": MaintenanceStatus.IN_PROGRESS,
    "identified": MaintenanceStatus.IN_PROGRESS,
    "monitoring": MaintenanceStatus.VERIFYING,
    "resolved": MaintenanceStatus.COMPLETED,
    "postmortem": MaintenanceStatus.COMPLETED,
}
# Statuspage's own default words when a status changes without a body.
_DEFAULT_BODY = {
    "investigating": "We are currently investigating this issue.",
    "identified": "The issue has been identified and a fix is being implemented.",
    "monitoring": "A fix has been implemented and we are monitoring the results.",
    "resolved": "This incident has been resolved.",
    "scheduled": "The scheduled maintenance has been planned.",
    "in_progress": "Scheduled maintenance is currently in progress. "
    "We will provide updates as necessary.",
    "verifying": "Verification is currently underway for the maintenance items.",
    "completed": "The scheduled maintenance has been completed.",
}
# Statuspage's impact calculation from the worst component status.
_IMPACT_BY_STATUS = {
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
}
_IMPACTS = {
    "none": Impact.NONE,
    "minor": Impact.MINOR,
    "major": Impact.MAJOR,
    "critical": Impact.CRITICAL,
    "maintenance": Impact.NONE,  # our maintenance is a kind of incident, not an impact
}
_MAINTENANCE_WORDS = {s.value for s in MaintenanceStatus}


class SpIncident(DatedRequest, kw_only=True):
    """The `incident` object of a create/update request; unknown fields are ignored."""

    name: str | None = None
    status: str | None = None
    body: str | None = None
    impact_override: str | None = None
    component_ids: list[str] | None = None
    components: dict[str, str] | list[str] | None = None
    deliver_notifications: bool = True
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None


class SpIncidentUpdate(msgspec.Struct, kw_only=True):
    body: str | None = None
    deliver_notifications: bool | None = None


def _map_status(kind: IncidentKind, value: str) -> str:
    table = _AS_INCIDENT if kind is IncidentKind.INCIDENT else _AS_MAINTENANCE
    try:
        return table[value.strip().lower()].value
    except KeyError:
        raise InvalidInput(
            f"incident[status] must be one of {', '.join(table)}, got {value!r}",
            field="incident[status]",
        ) from None


def _changes(data: SpIncident) -> dict[str, ComponentStatus]:
    """component id -> status named by the request (ids without a status: operational)."""
    wanted: dict[str, ComponentStatus] = {}
    for cid in data.component_ids or []:
        wanted[cid] = ComponentStatus.OPERATIONAL
    if isinstance(data.components, list):  # the docs' own example sends a list of ids
        for cid in data.components:
            wanted.setdefault(cid, ComponentStatus.OPERATIONAL)
    elif isinstance(data.components, dict):
        for cid, status in data.components.items():
            wanted[cid] = component_status(status, f"incident[components][{cid}]")
    return wanted


def _merged(
    incident: Incident | None, wanted: dict[str, ComponentStatus]
) -> list[AffectedComponent]:
    current = {link.component_id: link.status for link in incident.components} if incident else {}
    merged = {cid: ComponentStatus(status) for cid, status in current.items()}
    for cid, status in wanted.items():
        if status is ComponentStatus.OPERATIONAL and cid in current:
            continue  # listed as affected without a new status: keep what it has
        merged[cid] = status
    return [AffectedComponent(id=cid, status=status) for cid, status in merged.items()]


def _impact(data: SpIncident, wanted: dict[str, ComponentStatus]) -> Impact | None:
    if data.impact_override:
        try:
            return _IMPACTS[data.impact_override]
        except KeyError:
            raise InvalidInput(
                f"incident[impact_override] must be one of {', '.join(_IMPACTS)}, "
                f"got {data.impact_override!r}",
                field="incident[impact_override]",
            ) from None
    worst = max(wanted.values(), key=lambda s: s.severity, default=None)
    return _IMPACT_BY_STATUS.get(worst) if worst else None


def _is_maintenance(data: SpIncident) -> bool:
    return data.scheduled_for is not None or (
        data.status is not None and data.status.strip().lower() in _MAINTENANCE_WORDS
    )


async def create_incident(session: AsyncSession, *, actor: Actor, data: SpIncident) -> Incident:
    """POST incidents: an incident (or a maintenance, when it has a schedule), with its
    first update when a body or status is given."""
    if not data.name or not data.name.strip():
        raise InvalidInput("incident[name] must not be blank", field="incident[name]")
    wanted = _changes(data)
    impact = _impact(data, wanted)
    speaks = bool(data.body or data.status)
    # Published at once, the first update carries the components, so it records each one
    # going from operational to its new status; a draft leaves them on the incident for the
    # team to see until the words are approved.
    on_update = speaks and actor.may_publish
    attached = [] if on_update else _merged(None, wanted)
    if _is_maintenance(data):
        if data.scheduled_for is None:
            raise InvalidInput(
                "incident[scheduled_for] is needed for a scheduled maintenance",
                field="incident[scheduled_for]",
            )
        until = data.scheduled_until or data.scheduled_for + timedelta(hours=1)
        incident = await schedule_maintenance(
            session,
            actor=actor,
            data=MaintenanceCreate(
                title=data.name,
                scheduled_for=data.scheduled_for,
                scheduled_until=until,
                impact=impact or Impact.NONE,
                components=attached,
            ),
        )
    else:
        incident = await incidents.open_incident(
            session,
            actor=actor,
            data=IncidentCreate(
                title=data.name,
                impact=impact or Impact.MINOR,
                components=attached,
                status=_map_status(IncidentKind.INCIDENT, data.status or "investigating"),
            ),
        )
    if speaks:
        await _add_update(
            session,
            actor=actor,
            incident=incident,
            data=data,
            wanted=wanted if on_update else None,
        )
    return await incidents.get_incident(session, incident.id)


async def _add_update(
    session: AsyncSession,
    *,
    actor: Actor,
    incident: Incident,
    data: SpIncident,
    wanted: dict[str, ComponentStatus] | None,
) -> Update:
    kind = IncidentKind(incident.kind)
    status = _map_status(kind, data.status) if data.status else incident.status
    body = data.body if data.body and data.body.strip() else _DEFAULT_BODY[status]
    planned = None
    if wanted:
        # Component changes ride on the update, so they go out when its words do and the
        # update records each one's old and new status.
        planned = [a for a in _merged(incident, wanted) if a.id in wanted]
    return await publishing.post_update(
        session,
        actor=actor,
        incident_id=incident.id,
        data=UpdateCreate(
            status=status,
            body=body,
            publish=actor.may_publish,
            components=planned,
            deliver_notifications=data.deliver_notifications,
        ),
    )


async def change_incident(
    session: AsyncSession, *, actor: Actor, incident_id: str, data: SpIncident
) -> Incident:
    """PATCH/PUT incidents/{id}: facts change at once; a body or status adds an update."""
    incident = await incidents.get_incident(session, incident_id)
    wanted = _changes(data)
    impact = _impact(data, wanted) if data.impact_override else None
    speaks = bool(data.body and data.body.strip()) or (
        data.status is not None
        and _map_status(IncidentKind(incident.kind), data.status) != incident.status
    )
    facts = IncidentUpdate(
        title=data.name,
        impact=impact,
        components=_merged(incident, wanted) if wanted and not speaks else None,
        scheduled_for=data.scheduled_for,
        scheduled_until=data.scheduled_until,
    )
    if any(v is not None for v in msgspec.structs.astuple(facts)):
        incident = await incidents.edit_incident(
            session, actor=actor, incident_id=incident.id, data=facts
        )
    if speaks:
        await _add_update(session, actor=actor, incident=incident, data=data, wanted=wanted)
    return await incidents.get_incident(session, incident.id)


async def change_update(
    session: AsyncSession,
    *,
    actor: Actor,
    incident_id: str,
    update_id: str,
    data: SpIncidentUpdate,
) -> Update:
    update = await incidents.get_update(session, update_id)
    if update.incident_id != incident_id:
        raise NotFound(f"incident {incident_id} has no update {update_id!r}")
    return await incidents.edit_update(
        session,
        actor=actor,
        update_id=update_id,
        body=data.body,
        deliver_notifications=data.deliver_notifications,
    )


async def list_incidents(
    session: AsyncSession,
    *,
    which: str,
    q: str | None = None,
    limit: int = 100,
    page: int = 1,
) -> list[Incident]:
    """`all`, `unresolved`, `upcoming`, `scheduled` or `active_maintenance`, newest first."""
    query = select(Incident).options(selectinload(Incident.updates))
    maintenance = Incident.kind == IncidentKind.MAINTENANCE.value
    if which == "unresolved":
        query = query.where(
            Incident.kind == IncidentKind.INCIDENT.value, Incident.status.not_in(FINAL_STATUSES)
        )
    elif which == "upcoming":
        query = query.where(
            maintenance,
            Incident.status == MaintenanceStatus.SCHEDULED.value,
            Incident.scheduled_for > utcnow(),
        )
    elif which == "scheduled":
        query = query.where(maintenance, Incident.status == MaintenanceStatus.SCHEDULED.value)
    elif which == "active_maintenance":
        query = query.where(
            maintenance,
            Incident.status.in_(
                [MaintenanceStatus.IN_PROGRESS.value, MaintenanceStatus.VERIFYING.value]
            ),
        )
    if q:
        query = query.where(func.lower(Incident.title).contains(q.lower(), autoescape=True))
    query = query.order_by(Incident.started_at.desc(), Incident.id)
    query = query.limit(limit).offset((page - 1) * limit)
    return list((await session.scalars(query)).all())
