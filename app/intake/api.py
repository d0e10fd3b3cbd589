"""Alert intake and triage over HTTP: thin handlers over `app.intake.service`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, post

from app.incidents.api import incident_read
from app.incidents.schemas import IncidentRead
from app.intake import alerts, service
from app.intake.schemas import (
    AlertmanagerPayload,
    GenericAlert,
    IntakeRead,
    TriageAccept,
    TriageDecline,
)
from app.web.auth import CurrentActor
from app.web.deps import AppSettings, Db


def intake_read(result: service.Intake) -> IntakeRead:
    thread = result.thread
    return IntakeRead(
        action=result.action,  # type: ignore[arg-type]
        incident_id=thread.incident_id if thread else None,
        triage_state=thread.state if thread else None,
        fire_count=thread.fire_count if thread else 0,
        unmatched_components=result.unmatched_components,
        unmatched_customers=result.unmatched_customers,
    )


async def _take(db: Db, actor: CurrentActor, alert: alerts.Alert) -> Response[Any]:
    result = await service.receive_alert(db, actor=actor, alert=alert)
    await db.commit()
    return Response(intake_read(result), status_code=201 if result.action == "opened" else 200)


class IntakeController(Controller):
    """Webhooks from monitoring. Any key (responder and up) may post alerts."""

    path = "/api/v1/intake"
    tags = ["intake"]

    @post("/alertmanager")
    async def alertmanager(
        self, db: Db, actor: CurrentActor, data: AlertmanagerPayload
    ) -> Response[Any]:
        return await _take(db, actor, alerts.from_alertmanager(data))

    @post("/generic")
    async def generic(self, db: Db, actor: CurrentActor, data: GenericAlert) -> Response[Any]:
        return await _take(db, actor, alerts.from_generic(data))


class TriageController(Controller):
    path = "/api/v1/incidents/{incident_id:str}"
    tags = ["intake"]

    @post("/accept", status_code=200)
    async def accept(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        data: TriageAccept | None = None,
    ) -> IncidentRead:
        incident = await service.accept(
            db, actor=actor, incident_id=incident_id, data=data or TriageAccept()
        )
        await db.commit()
        return incident_read(incident, settings)

    @post("/decline", status_code=200)
    async def decline(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        data: TriageDecline,
    ) -> IncidentRead:
        incident = await service.decline(
            db, actor=actor, incident_id=incident_id, reason=data.reason
        )
        await db.commit()
        return incident_read(incident, settings)
