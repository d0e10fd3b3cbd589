"""The desk's insights page: the same figures as `GET /api/v1/insights`, for people."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from app.accounts.admin import admin_page
from app.accounts.auth import CurrentActor
from app.accounts.permissions import Act, needs
from app.accounts.session import check_csrf
from app.insights import service
from app.web.deps import Db


class InsightsPages(Controller):
    path = "/admin"
    include_in_schema = False
    before_request = check_csrf

    @get("/insights", opt={"role": needs(Act.READ_INSIGHTS)})
    async def insights(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        summary, rows = await service.insights(db, actor=actor)
        return admin_page(
            request, "admin/insights.html", summary=summary, rows=rows, days=service.PERIOD_DAYS
        )
