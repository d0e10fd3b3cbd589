"""`GET /api/v1/insights`: how well we communicated, over a period and per incident."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.params import Parameter

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.insights import service
from app.insights.metrics import incident_dict, summary_dict
from app.lib.errors import NotFound
from app.web.deps import Db


class InsightsController(Controller):
    path = "/api/v1"
    tags = ["insights"]

    @get("/insights", opt={"act": Act.READ_INSIGHTS})
    async def insights(
        self,
        db: Db,
        actor: CurrentActor,
        days: int = Parameter(default=service.PERIOD_DAYS, ge=1, le=366),
    ) -> dict[str, Any]:
        """The figures of the last `days` days (90 unless asked), and of each incident."""
        summary, rows = await service.insights(db, actor=actor, days=days)
        return {"summary": summary_dict(summary), "incidents": [incident_dict(r) for r in rows]}

    @get("/incidents/{incident_id:str}/insights", opt={"act": Act.READ_INSIGHTS})
    async def incident(self, db: Db, actor: CurrentActor, incident_id: str) -> dict[str, Any]:
        row = await service.incident_insights(db, actor=actor, incident_id=incident_id)
        if row is None:
            raise NotFound(f"no incident with id {incident_id!r} to measure")
        return incident_dict(row)
