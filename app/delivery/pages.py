"""Admin pages for an update's deliveries: counts by state, failures, and a retry action.

Thin handlers over `app.delivery.service`; roles as in the JSON API (reading for anyone
signed in, retrying for comms leads).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts.models import Role
from app.delivery import service
from app.delivery.models import DeliveryState
from app.incidents.service import get_incident, get_update
from app.subscribers.service import subscribers_by_id
from app.web.admin import admin_page, back
from app.web.auth import CurrentActor
from app.web.deps import Db
from app.web.session import check_csrf


class DeliveryPages(Controller):
    path = "/admin/updates/{update_id:str}/deliveries"
    include_in_schema = False
    before_request = check_csrf

    @get("/")
    async def deliveries(
        self, request: Request, db: Db, actor: CurrentActor, update_id: str
    ) -> Response[Any]:
        update = await get_update(db, update_id)
        counts, failures = await service.update_deliveries(db, update_id)
        skipped = await service.update_deliveries_in(db, update_id, DeliveryState.SKIPPED)
        return admin_page(
            request,
            "admin/deliveries.html",
            update=update,
            incident=await get_incident(db, update.incident_id),
            counts=counts,
            failures=failures,
            skipped=skipped,
            recipients=await subscribers_by_id(
                db, [d.subscriber_id for d in (*failures, *skipped)]
            ),
        )

    @post("/retry", opt={"role": Role.COMMS_LEAD})
    async def retry(self, db: Db, actor: CurrentActor, update_id: str) -> Redirect:
        count = await service.retry_failed(db, actor=actor, update_id=update_id)
        here = f"/admin/updates/{update_id}/deliveries"
        if not count:
            return back(here, notice="No failed deliveries to retry.")
        plural = "delivery" if count == 1 else "deliveries"
        return back(here, notice=f"{count} {plural} put back in the queue, due now.")
