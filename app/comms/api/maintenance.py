"""JSON API of maintenance plans: a window with its words approved in advance.

`/api/v1/maintenance-plans` does what the desk's maintenance pages do, with the same rules
(`app.comms.maintenance.service`) and the same audit lines.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.params import Parameter

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.maintenance import plans as maintenance_plans
from app.comms.maintenance import service as maintenance
from app.comms.maintenance.plans import CALLED_OFF, PHASES, VOIDED, WAITING, Plan
from app.comms.schemas import (
    MaintenanceCancel,
    MaintenancePlanChange,
    MaintenancePlanCreate,
    MaintenancePlanRead,
    MaintenanceWordsRead,
    MaintenanceWordsWrite,
)
from app.web.deps import AppSettings, Db
from app.web.idempotency import create_once


def plan_read(plan: Plan, settings: AppSettings) -> MaintenancePlanRead:
    incident = plan.incident
    words = []
    for phase in (*PHASES, CALLED_OFF):
        w = plan.words.get(phase)
        if w is None:
            continue
        # Approved for other readers than the plan reaches now: it waits for approval again
        # (the next verb on the plan, or the worker, records so).
        voided = plan.voided(phase)
        words.append(
            MaintenanceWordsRead(
                phase=phase,
                body=w.body,
                state=WAITING if voided else w.state,
                written_by=w.written_by,
                approved_by=None if voided else w.approved_by,
                approved_at=None if voided else w.approved_at,
                publishes_at=plan.publishes_at(phase),
                published_at=w.published_at,
                update_id=w.update_id,
                note=VOIDED.format("who reads it") if voided else w.note,
            )
        )
    return MaintenancePlanRead(
        id=incident.id,
        title=incident.title,
        status=incident.status,
        impact=incident.impact,
        visibility=incident.visibility,
        scheduled_for=incident.scheduled_for,
        scheduled_until=incident.scheduled_until,
        components=incident.component_ids,
        customers=incident.customer_ids,
        cancelled=plan.cancelled,
        words=words,
        url=f"{settings.base_url}/incidents/{incident.id}",
    )


class MaintenancePlanController(Controller):
    path = "/api/v1/maintenance-plans"
    opt = {"act": Act.READ_DESK}
    tags = ["maintenance"]

    @get("/")
    async def list_plans(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        limit: int = Parameter(default=100, ge=1, le=500),
    ) -> list[MaintenancePlanRead]:
        return [plan_read(p, settings) for p in await maintenance_plans.list_plans(db, limit=limit)]

    @post("/", status_code=201, opt={"act": Act.OPEN_INCIDENT})
    async def schedule(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        data: MaintenancePlanCreate,
    ) -> Response[Any]:
        async def create() -> MaintenancePlanRead:
            return plan_read(await maintenance.schedule(db, actor=actor, data=data), settings)

        return await create_once(request, db, create)

    @get("/{incident_id:str}")
    async def get_plan(
        self, db: Db, actor: CurrentActor, settings: AppSettings, incident_id: str
    ) -> MaintenancePlanRead:
        return plan_read(await maintenance_plans.get_plan(db, incident_id), settings)

    @patch("/{incident_id:str}", opt={"act": Act.OPEN_INCIDENT})
    async def change(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        data: MaintenancePlanChange,
    ) -> MaintenancePlanRead:
        plan = await maintenance.change(db, actor=actor, incident_id=incident_id, data=data)
        return plan_read(plan, settings)

    @put("/{incident_id:str}/words/{phase:str}", opt={"act": Act.DRAFT})
    async def write_words(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        phase: str,
        data: MaintenanceWordsWrite,
    ) -> MaintenancePlanRead:
        plan = await maintenance.write_words(
            db, actor=actor, incident_id=incident_id, phase=phase, body=data.body
        )
        return plan_read(plan, settings)

    @post(
        "/{incident_id:str}/words/{phase:str}/approve",
        status_code=200,
        opt={"act": Act.APPROVE},
    )
    async def approve_words(
        self, db: Db, actor: CurrentActor, settings: AppSettings, incident_id: str, phase: str
    ) -> MaintenancePlanRead:
        plan = await maintenance.approve_words(
            db, actor=actor, incident_id=incident_id, phase=phase
        )
        return plan_read(plan, settings)

    @post("/{incident_id:str}/cancel", status_code=200, opt={"act": Act.OPEN_INCIDENT})
    async def cancel(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        data: MaintenanceCancel,
    ) -> MaintenancePlanRead:
        plan = await maintenance.cancel(db, actor=actor, incident_id=incident_id, body=data.body)
        return plan_read(plan, settings)
