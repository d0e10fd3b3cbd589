"""The JSON API calls that can send something: opening an incident or scheduling maintenance
with first words, posting an update, and changing a component (its status goes to pages and
webhooks). Thin handlers over `app.comms.review.publishing`.

Each controller here extends its domain's controller (reading, editing) with these calls, so
that one controller serves each path; `create_app` registers these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Request, Response, get, patch, post

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.maintenance import plans as maintenance_plans
from app.comms.review import publishing
from app.comms.review.reached import affected_customers
from app.components import service as components
from app.components.api import ComponentController, component_read
from app.components.schemas import ComponentRead, ComponentUpdate
from app.incidents.api import (
    AffectedCustomers,
    IncidentController,
    MaintenanceController,
    incident_answer,
    update_read,
)
from app.incidents.models import Incident
from app.incidents.schemas import (
    CustomerRef,
    IncidentCreate,
    IncidentRead,
    IncidentUpdate,
    MaintenanceCreate,
    UpdateCreate,
    UpdateRead,
)
from app.public.current import statuses_now
from app.web.deps import AppSettings, Db
from app.web.idempotency import create_once


def provide_affected_customers(
    db: Db,
) -> Callable[[Sequence[Incident]], Awaitable[dict[str, list[CustomerRef]]]]:
    """How the incidents API learns who each incident affects, by name (a function awaited
    when the answer is built: the request's one session allows one query at a time)."""

    async def affected(incidents: Sequence[Incident]) -> dict[str, list[CustomerRef]]:
        found = await affected_customers(db, [i.id for i in incidents])
        return {
            incident_id: [CustomerRef(id=c.id, name=c.name) for c in customers]
            for incident_id, customers in found.items()
        }

    return affected


class IncidentApi(IncidentController):
    """/api/v1/incidents: reading and editing (`app.incidents.api`), opening and posting."""

    @post("/", status_code=201, opt={"act": Act.OPEN_INCIDENT})
    async def open_incident(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        affected: AffectedCustomers,
        data: IncidentCreate,
    ) -> Response[Any]:
        async def create() -> IncidentRead:
            incident = await publishing.open_incident(db, actor=actor, data=data)
            return await incident_answer(incident, settings, affected)

        return await create_once(request, db, create)

    @post("/{incident_id:str}/updates", status_code=201, opt={"act": Act.DRAFT})
    async def post_update(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        data: UpdateCreate,
    ) -> Response[Any]:
        async def create() -> UpdateRead:
            update = await publishing.post_update(
                db, actor=actor, incident_id=incident_id, data=data, site_language=settings.language
            )
            return update_read(update)

        return await create_once(request, db, create)


class MaintenanceApi(MaintenanceController):
    """/api/v1/maintenances: reading (`app.incidents.api`), scheduling, and editing through
    the window's plan (words approved in advance hold only for the readers they were for)."""

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
        plan = await maintenance_plans.edit_window(
            db, actor=actor, incident_id=incident_id, data=data
        )
        return await incident_answer(plan.incident, settings, affected)

    @post("/", status_code=201, opt={"act": Act.OPEN_INCIDENT})
    async def schedule_maintenance(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        affected: AffectedCustomers,
        data: MaintenanceCreate,
    ) -> Response[Any]:
        async def create() -> IncidentRead:
            incident = await publishing.schedule_maintenance(db, actor=actor, data=data)
            return await incident_answer(incident, settings, affected)

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

    @patch("/{component_id:str}", opt={"act": Act.SET_COMPONENT_STATUS})
    async def update_component(
        self, db: Db, actor: CurrentActor, component_id: str, data: ComponentUpdate
    ) -> ComponentRead:
        """Responders (and monitoring) may push a status; renaming and moving need an admin."""
        component = await publishing.update_component(
            db, actor=actor, component_id=component_id, data=data
        )
        return component_read(component, (await statuses_now(db)).get(component.id))
