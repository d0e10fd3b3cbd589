"""Alert intake and triage over HTTP: thin handlers over `app.intake.threads` (alerts in)
and `app.intake.service` (triage)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import Parameter, QueryParameter

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.wording.site import site_for
from app.incidents.api import AffectedCustomers, incident_answer
from app.incidents.schemas import IncidentRead
from app.intake import alerts, service, threads
from app.intake.models import AlertThread, TriageState
from app.intake.schemas import (
    AlertmanagerPayload,
    AlertThreadRead,
    GenericAlert,
    IntakeRead,
    TriageAccept,
    TriageDecline,
)
from app.web.deps import AppSettings, Db


def thread_read(thread: AlertThread, title: str | None) -> AlertThreadRead:
    return AlertThreadRead(
        id=thread.id,
        source=thread.source,
        dedup_key=thread.dedup_key,
        incident_id=thread.incident_id,
        incident_title=title,
        state=thread.state,
        alert_status=thread.alert_status,
        fire_count=thread.fire_count,
        first_fired_at=thread.created_at,
        last_fired_at=thread.last_fired_at,
        last_resolved_at=thread.last_resolved_at,
        decided_by=thread.decided_by,
        decided_at=thread.decided_at,
        decline_reason=thread.decline_reason,
        last_alert=thread.last_alert,
    )


def intake_read(result: threads.Intake) -> IntakeRead:
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
    result = await threads.receive_alert(db, actor=actor, alert=alert)
    return Response(intake_read(result), status_code=201 if result.action == "opened" else 200)


class IntakeController(Controller):
    """Webhooks from monitoring. Any key (responder and up) may post alerts."""

    path = "/api/v1/intake"
    opt = {"act": Act.READ_DESK}
    tags = ["intake"]

    @post("/alertmanager", opt={"act": Act.OPEN_INCIDENT})
    async def alertmanager(
        self, db: Db, actor: CurrentActor, data: AlertmanagerPayload
    ) -> Response[Any]:
        return await _take(db, actor, alerts.from_alertmanager(data))

    @post("/generic", opt={"act": Act.OPEN_INCIDENT})
    async def generic(self, db: Db, actor: CurrentActor, data: GenericAlert) -> Response[Any]:
        return await _take(db, actor, alerts.from_generic(data))

    @get("/threads")
    async def list_threads(
        self,
        db: Db,
        actor: CurrentActor,
        triage_state: TriageState | None = QueryParameter(name="state", default=None),
        limit: int = Parameter(default=100, ge=1, le=500),
    ) -> list[AlertThreadRead]:
        """Alert threads newest first; `?state=triage` is the triage queue."""
        found = await threads.list_threads(db, state=triage_state, limit=limit)
        return [thread_read(thread, title) for thread, title in found]


class TriageController(Controller):
    path = "/api/v1/incidents/{incident_id:str}"
    opt = {"act": Act.OPEN_INCIDENT}
    tags = ["intake"]

    @post("/accept", status_code=200)
    async def accept(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        affected: AffectedCustomers,
        incident_id: str,
        data: TriageAccept | None = None,
    ) -> IncidentRead:
        incident = await service.accept(
            db,
            site_for(settings),
            actor=actor,
            incident_id=incident_id,
            data=data or TriageAccept(),
        )
        return await incident_answer(incident, settings, affected)

    @post("/decline", status_code=200)
    async def decline(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        affected: AffectedCustomers,
        incident_id: str,
        data: TriageDecline,
    ) -> IncidentRead:
        incident = await service.decline(
            db, actor=actor, incident_id=incident_id, reason=data.reason
        )
        return await incident_answer(incident, settings, affected)
