"""Scheduling a maintenance window: a planned incident with a start and an end.

The same rules as `app.incidents.service` (who may open one, its first update, a draft);
publishing and telling subscribers is `app.comms.review.publishing`'s work.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.incidents import links, service
from app.incidents.audit import audit
from app.incidents.inputs import aware, clean_title
from app.incidents.models import Incident
from app.incidents.schemas import MaintenanceCreate, UpdateCreate
from app.incidents.status import IncidentKind, MaintenanceStatus, default_visibility
from app.lib.errors import InvalidInput


async def schedule_maintenance(
    session: AsyncSession, *, actor: Actor, data: MaintenanceCreate
) -> Incident:
    permissions.require(actor, Act.OPEN_INCIDENT)
    starts = aware(data.scheduled_for, "scheduled_for")
    ends = aware(data.scheduled_until, "scheduled_until")
    assert starts is not None and ends is not None
    if ends <= starts:
        raise InvalidInput("scheduled_until must be after scheduled_for", field="scheduled_until")
    incident = Incident(
        kind=IncidentKind.MAINTENANCE.value,
        title=clean_title(data.title),
        status=MaintenanceStatus.SCHEDULED.value,
        impact=data.impact.value,
        visibility=(data.visibility or default_visibility(data.customers)).value,
        started_at=starts,
        scheduled_for=starts,
        scheduled_until=ends,
        created_by=actor.name,
        components=[],
        customer_links=[],
    )
    session.add(incident)
    await links.set_components(session, incident, data.components)
    await links.set_customers(session, incident, data.customers)
    await session.flush()
    await audit(session, actor, "maintenance.schedule", incident, {"title": incident.title})
    if data.body:
        await service.post_update(
            session,
            actor=actor,
            incident_id=incident.id,
            # `publish` is refused there: publishing is app.comms.review.publishing's.
            data=UpdateCreate(
                status=MaintenanceStatus.SCHEDULED.value, body=data.body, publish=data.publish
            ),
        )
    return await service.get_incident(session, incident.id)
