"""JSON API: import a Statuspage page, or first see what importing it would do."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, post

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.statuspage.importer.service import import_statuspage
from app.web.deps import AppSettings, Db


class StatuspageImport(msgspec.Struct, kw_only=True):
    url: str
    # A dry run unless asked otherwise: a pasted URL shows its plan before anything changes.
    dry_run: bool = True


class ImportController(Controller):
    path = "/api/v1/imports"
    tags = ["imports"]

    @post("/statuspage", opt={"act": Act.IMPORT_PAGE}, status_code=200)
    async def import_statuspage(
        self, db: Db, actor: CurrentActor, settings: AppSettings, data: StatuspageImport
    ) -> dict[str, Any]:
        """The plan (dry run) or what was imported: counts, steps, skipped and notes."""
        plan = await import_statuspage(
            db,
            actor=actor,
            url=data.url,
            dry_run=data.dry_run,
            allow_private=settings.webhook_allow_private,
        )
        return plan.to_dict()
