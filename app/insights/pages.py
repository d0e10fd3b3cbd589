"""The desk's insights page: the same figures as `GET /api/v1/insights`, for people."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, Response, get

from app.accounts.http.admin import admin_page
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act, may
from app.insights import service
from app.insights.metrics import IncidentInsights
from app.web.deps import Db


def provide_incident_figures(
    db: Db, actor: CurrentActor, incident_id: str
) -> Callable[[], Awaitable[IncidentInsights | None]]:
    """How to get the figures of the incident in the path, as
    `GET /api/v1/incidents/{id}/insights` gives them, for its desk page (None for
    maintenance, noise, or a person who may not read insights). A function the page calls
    when it is ready, not the figures: dependencies are resolved side by side, and the
    request's one database session allows one query at a time."""

    async def figures() -> IncidentInsights | None:
        if not may(actor, Act.READ_INSIGHTS):
            return None
        return await service.incident_insights(db, actor=actor, incident_id=incident_id)

    return figures


class InsightsPages(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/insights", opt={"act": Act.READ_INSIGHTS})
    async def insights(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        summary, rows = await service.insights(db, actor=actor)
        return admin_page(
            request, "admin/insights.html", summary=summary, rows=rows, days=service.PERIOD_DAYS
        )
