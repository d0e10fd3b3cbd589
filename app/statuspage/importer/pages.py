"""The desk's import page: paste a page's URL, read the dry run, confirm to import it.

Thin over `app.statuspage.importer.service`, as the command and the JSON API are: the
dry run and the import are the same service call, with and without `dry_run`. The page is
fetched through the guarded client, so outbound requests follow the same rule as webhooks
(`TIDINGS_WEBHOOK_ALLOW_PRIVATE`).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from app.accounts.http.admin import admin_page
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.lib.errors import DomainError
from app.statuspage.importer.plan import CREATE, KINDS, UNCHANGED, UPDATE
from app.statuspage.importer.service import import_statuspage
from app.web.deps import AppSettings, Db

SHOWN_STEPS = 300  # a long history lists its first steps; the counts cover all of them


class ImportPages(Controller):
    path = "/admin/import"
    include_in_schema = False
    opt = {"act": Act.IMPORT_PAGE}

    @get("/")
    async def form(self, request: Request, actor: CurrentActor) -> Response[str]:
        return admin_page(request, "admin/import.html", url="", plan=None, form_error="")

    @post("/", status_code=200)
    async def run(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[str]:
        """`do=plan` shows the dry run; `do=import` (the confirm button) imports."""
        form = await request.form()
        url = str(form.get("url") or "").strip()
        dry_run = form.get("do") != "import"
        try:
            plan = await import_statuspage(
                db,
                actor=actor,
                url=url,
                dry_run=dry_run,
                allow_private=settings.webhook_allow_private,
            )
        except DomainError as exc:
            await db.rollback()
            return admin_page(
                request,
                "admin/import.html",
                status_code=exc.status_code,
                url=url,
                plan=None,
                form_error=exc.message,
            )
        return admin_page(
            request,
            "admin/import.html",
            url=url,
            plan=plan,
            form_error="",
            counts=_counts(plan),
            shown=SHOWN_STEPS,
        )


def _counts(plan: Any) -> list[tuple[str, int, int, int]]:
    """(kind, to create, to update, unchanged) per kind, for the plan's table."""
    return [
        (kind, plan.count(CREATE, kind), plan.count(UPDATE, kind), plan.count(UNCHANGED, kind))
        for kind in KINDS
    ]
