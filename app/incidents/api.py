"""JSON API for incidents, maintenance windows and the updates on their timeline (the calls
that can publish, and so send, are `app.comms.api.publishing`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, get, patch
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.incidents import service
from app.incidents.models import Incident, Update
from app.incidents.schemas import (
    CustomerRef,
    IncidentComponentRead,
    IncidentRead,
    IncidentUpdate,
    UpdateRead,
)
from app.incidents.status import IncidentKind
from app.lib.numbers import MAX_OFFSET
from app.lib.shapes import shape
from app.web.deps import AppSettings, Db


def update_read(update: Update) -> UpdateRead:
    return shape(UpdateRead, update, translations=dict(update.translations or {}))


# Who each incident affects is the audience rule's answer, which reads this package's models:
# create_app wires it in (`app.comms.api.publishing`), so this package need not import it.
# Awaited with incidents, it gives {incident id: [CustomerRef]}.
AffectedCustomers = NamedDependency[Any]


async def incident_answers(
    incidents: Sequence[Incident], settings: AppSettings, affected: Any
) -> list[IncidentRead]:
    """The incidents as the API answers them, each with the customers it affects by name."""
    names = await affected(incidents)
    return [incident_read(i, settings, affected=names.get(i.id, [])) for i in incidents]


async def incident_answer(incident: Incident, settings: AppSettings, affected: Any) -> IncidentRead:
    (answer,) = await incident_answers([incident], settings, affected)
    return answer


def incident_read(
    incident: Incident,
    settings: AppSettings,
    *,
    affected: list[CustomerRef],
    with_updates: bool = True,
) -> IncidentRead:
    return shape(
        IncidentRead,
        incident,
        affected_customers=affected,
        components=[
            IncidentComponentRead(
                id=link.component_id, name=link.component.name, status=link.status
            )
            for link in incident.components
        ],
        customers=incident.customer_ids,
        url=f"{settings.base_url}/incidents/{incident.id}",
        updates=[update_read(u) for u in incident.updates] if with_updates else [],
    )


class _TimelineController(Controller):
    """Listing, reading and editing, shared by incidents and maintenance windows."""

    kind: IncidentKind
    opt = {"act": Act.READ_DESK}

    @get("/")
    async def list_incidents(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        affected: AffectedCustomers,
        open_only: bool = QueryParameter(name="open", default=False),
        limit: int = Parameter(default=50, ge=1, le=500),
        offset: int = Parameter(default=0, ge=0, le=MAX_OFFSET),
    ) -> list[IncidentRead]:
        incidents = await service.list_incidents(
            db, kind=self.kind, open_only=open_only, limit=limit, offset=offset
        )
        return await incident_answers(incidents, settings, affected)

    @get("/{incident_id:str}")
    async def get_incident(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        affected: AffectedCustomers,
        incident_id: str,
    ) -> IncidentRead:
        incident = await service.get_incident(db, incident_id)
        return await incident_answer(incident, settings, affected)

    @patch("/{incident_id:str}", opt={"act": Act.OPEN_INCIDENT})
    async def edit_incident(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        affected: AffectedCustomers,
        incident_id: str,
        data: IncidentUpdate,
    ) -> IncidentRead:
        incident = await service.edit_incident(db, actor=actor, incident_id=incident_id, data=data)
        return await incident_answer(incident, settings, affected)


class IncidentController(_TimelineController):
    path = "/api/v1/incidents"
    tags = ["incidents"]
    kind = IncidentKind.INCIDENT

    @get("/{incident_id:str}/updates")
    async def list_updates(self, db: Db, actor: CurrentActor, incident_id: str) -> list[UpdateRead]:
        await service.get_incident(db, incident_id)
        return [update_read(u) for u in await service.list_updates(db, incident_id=incident_id)]


class MaintenanceController(_TimelineController):
    path = "/api/v1/maintenances"
    tags = ["maintenance"]
    kind = IncidentKind.MAINTENANCE
