"""The JSON API calls that can send something: opening an incident or scheduling maintenance
with first words, posting an update, and changing a component (its status goes to pages and
webhooks). Thin handlers over `app.comms.publishing`.

Each controller here extends its domain's controller (reading, editing) with these calls, so
that one controller serves each path; `create_app` registers these.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, patch, post

from app.accounts.auth import CurrentActor
from app.comms import publishing
from app.components import service as components
from app.components.api import ComponentController, component_read
from app.components.schemas import ComponentRead, ComponentUpdate
from app.incidents.api import (
    IncidentController,
    MaintenanceController,
    incident_read,
    update_read,
)
from app.incidents.schemas import (
    IncidentCreate,
    IncidentRead,
    MaintenanceCreate,
    UpdateCreate,
    UpdateRead,
)
from app.public.current import statuses_now
from app.web.deps import AppSettings, Db
from app.web.idempotency import create_once


class IncidentApi(IncidentController):
    """/api/v1/incidents: reading and editing (`app.incidents.api`), opening and posting."""

    @post("/", status_code=201)
    async def open_incident(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        data: IncidentCreate,
    ) -> Response[Any]:
        async def create() -> IncidentRead:
            incident = await publishing.open_incident(db, actor=actor, data=data)
            return incident_read(incident, settings)

        return await create_once(request, db, create)

    @post("/{incident_id:str}/updates", status_code=201)
    async def post_update(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        incident_id: str,
        data: UpdateCreate,
    ) -> Response[Any]:
        async def create() -> UpdateRead:
            update = await publishing.post_update(
                db, actor=actor, incident_id=incident_id, data=data
            )
            return update_read(update)

        return await create_once(request, db, create)


class MaintenanceApi(MaintenanceController):
    """/api/v1/maintenances: reading and editing (`app.incidents.api`), scheduling."""

    @post("/", status_code=201)
    async def schedule_maintenance(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        data: MaintenanceCreate,
    ) -> Response[Any]:
        async def create() -> IncidentRead:
            incident = await publishing.schedule_maintenance(db, actor=actor, data=data)
            return incident_read(incident, settings)

        return await create_once(request, db, create)


class ComponentApi(ComponentController):
    """/api/v1/components: the rest of it (`app.components.api`), and changing one. Each
    component reads with the status the pages show now, as the desk and the JSON do."""

    @get("/")
    async def list_components(self, db: Db, actor: CurrentActor) -> list[ComponentRead]:
        now = await statuses_now(db)
        return [component_read(c, now.get(c.id)) for c in await components.list_components(db)]

    @get("/{component_id:str}")
    async def get_component(self, db: Db, actor: CurrentActor, component_id: str) -> ComponentRead:
        component = await components.get_component(db, component_id)
        return component_read(component, (await statuses_now(db)).get(component.id))

    @patch("/{component_id:str}")
    async def update_component(
        self, db: Db, actor: CurrentActor, component_id: str, data: ComponentUpdate
    ) -> ComponentRead:
        """Responders (and monitoring) may push a status; renaming and moving need an admin."""
        component = await publishing.update_component(
            db, actor=actor, component_id=component_id, data=data
        )
        return component_read(component, (await statuses_now(db)).get(component.id))
