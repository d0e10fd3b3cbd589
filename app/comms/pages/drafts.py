"""A draft update's desk page (edit, submit, approve, reject) and the review queue at
/admin/queue.

Handlers follow `app.comms.pages.desk`: parse the form, call one service verb, redirect back
with a notice or the rule's refusal.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts.http.admin import admin_page
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.pages.desk import act, component_choices, status_choices, text
from app.comms.review import service
from app.comms.review.preview import review_view
from app.comms.wording import examples
from app.comms.wording.site import site_for
from app.incidents.service import get_update
from app.incidents.status import IncidentKind, update_statuses_for
from app.public.current import component_picker
from app.web.deps import AppSettings, Db


class DraftPages(Controller):
    path = "/admin"
    opt = {"act": Act.READ_DESK}
    include_in_schema = False

    @get("/updates/{update_id:str}")
    async def draft(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str
    ) -> Response[Any]:
        draft = await get_update(db, update_id)
        view = await review_view(db, site_for(settings, request.app.state.renderer), draft)
        planned = {p["code"]: p["new_status"] for p in draft.affected_components or []}
        return admin_page(
            request,
            "admin/draft.html",
            view=view,
            draft=draft,
            picker=await component_picker(db, [*view.incident.component_ids, *planned]),
            chosen_statuses=planned if draft.state != "published" else {},
            status_choices=status_choices(),
            statuses=update_statuses_for(IncidentKind(view.incident.kind)),
            examples=await examples.similar_examples(
                db, incident=view.incident, status=draft.status, text=draft.body
            ),
        )

    @post("/updates/{update_id:str}/edit", opt={"act": Act.DRAFT})
    async def edit(self, request: Request, db: Db, actor: CurrentActor, update_id: str) -> Redirect:
        form = await request.form()
        insert = text(form, "insert_example")  # "Insert" on an example: save with its words

        async def work() -> None:
            body = text(form, "body")
            if insert:
                body = examples.inserted(body, await examples.example_words(db, insert))
            await service.edit_draft(
                db,
                actor=actor,
                update_id=update_id,
                body=body,
                components=component_choices(form),
                status=text(form, "status") or None,
            )

        done = "Saved. The preview and tone checks below are up to date."
        if insert:
            done = "The example's words were added after yours; edit them to fit."
        return await act(db, work, done, f"/admin/updates/{update_id}")

    @post("/updates/{update_id:str}/submit", opt={"act": Act.DRAFT})
    async def submit(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str
    ) -> Redirect:
        """Submit what is on the screen: words and statuses changed since the last save are
        saved first."""
        form = await request.form()
        body = text(form, "body")
        status = text(form, "status") or None

        async def work() -> None:
            draft = await get_update(db, update_id)
            components = component_choices(form)
            planned = [{"code": a.id, "new_status": a.status.value} for a in components or []]
            if (
                (body and body != draft.body)
                or (status and status != draft.status)
                or (components is not None and planned != (draft.affected_components or []))
            ):
                await service.edit_draft(
                    db,
                    actor=actor,
                    update_id=update_id,
                    body=body or None,
                    components=components,
                    status=status,
                )
            await service.submit_draft(db, actor=actor, update_id=update_id, zone=settings.zone)

        return await act(db, work, "Submitted for approval.", f"/admin/updates/{update_id}")

    @post("/updates/{update_id:str}/approve", opt={"act": Act.APPROVE})
    async def approve(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str
    ) -> Redirect:
        form = await request.form()
        notify = text(form, "notify") != "off"
        return await act(
            db,
            lambda: service.approve_draft(
                db,
                actor=actor,
                update_id=update_id,
                body=text(form, "body") or None,
                notify=notify,
                zone=settings.zone,
                version=text(form, "version") or None,
            ),
            "Approved and published." if notify else "Approved and published without notifying.",
            "/admin/queue",
        )

    @post("/updates/{update_id:str}/reject", opt={"act": Act.REJECT})
    async def reject(
        self, request: Request, db: Db, actor: CurrentActor, update_id: str
    ) -> Redirect:
        form = await request.form()
        return await act(
            db,
            lambda: service.reject_draft(
                db, actor=actor, update_id=update_id, reason=text(form, "reason")
            ),
            "Sent back to its author.",
            "/admin/queue",
        )

    @get("/queue")
    async def queue(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        site = site_for(settings, request.app.state.renderer)
        views = [
            await review_view(db, site, draft, review) for draft, review in await service.queue(db)
        ]
        return admin_page(request, "admin/queue.html", views=views)
