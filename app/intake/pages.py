"""The triage page at /admin/triage: incidents opened by alerts, accepted or declined by a
person. Thin handlers over `app.intake.service`; any signed-in person may triage, as over
the API (accepting only puts a draft in the approval queue; nothing is published).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts.http.admin import admin_page, back
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.wording.site import site_for
from app.incidents.status import Visibility
from app.intake import service
from app.intake.models import AlertThread
from app.intake.schemas import TriageAccept
from app.lib.errors import DomainError, InvalidInput
from app.web.deps import AppSettings, Db

HERE = "/admin/triage"


async def provide_triage_size(db: Db) -> int:
    """How many alert incidents wait for triage (the desk's dashboard shows it)."""
    return await service.triage_count(db)


async def provide_waiting_triage(db: Db, incident_id: str) -> AlertThread | None:
    """The alert thread of the incident in the path, while it waits for triage."""
    return await service.waiting_thread(db, incident_id)


def _visibility(value: str) -> Visibility | None:
    if not value:
        return None  # the service's default: customers if the alert named any, else public
    try:
        return Visibility(value)
    except ValueError:
        raise InvalidInput("choose who may see the incident", field="visibility") from None


class TriagePages(Controller):
    path = HERE
    opt = {"act": Act.READ_DESK}
    include_in_schema = False

    @get("/")
    async def triage(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        return admin_page(
            request,
            "admin/triage.html",
            rows=await service.triage_queue(db),
            visibilities=[Visibility.PUBLIC, Visibility.CUSTOMERS],
        )

    @post("/{incident_id:str}/accept", opt={"act": Act.OPEN_INCIDENT})
    async def accept(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
    ) -> Redirect:
        form = await request.form()
        try:
            incident = await service.accept(
                db,
                site_for(settings),
                actor=actor,
                incident_id=incident_id,
                data=TriageAccept(visibility=_visibility(str(form.get("visibility") or ""))),
            )
        except DomainError as exc:
            await db.rollback()
            return back(HERE, error=exc.message)
        return back(
            "/admin/queue",
            notice=f"Accepted “{incident.title}”: its first draft waits here for approval.",
        )

    @post("/{incident_id:str}/decline", opt={"act": Act.OPEN_INCIDENT})
    async def decline(
        self, request: Request, db: Db, actor: CurrentActor, incident_id: str
    ) -> Redirect:
        form = await request.form()
        try:
            incident = await service.decline(
                db, actor=actor, incident_id=incident_id, reason=str(form.get("reason") or "")
            )
        except DomainError as exc:
            await db.rollback()
            return back(HERE, error=exc.message)
        return back(HERE, notice=f"Declined “{incident.title}”: closed and kept out of history.")
