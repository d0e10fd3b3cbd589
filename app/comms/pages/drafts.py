"""A draft update's desk page (edit, submit, approve, reject) and the review queue at
/admin/queue.

Handlers follow `app.comms.pages.desk`: parse the form, call one service verb, redirect back
with a notice. A refused save, submit or approval is different: the page is shown again with
the refusal's 4xx and the words as they were typed, so that nothing typed is lost. A draft
its reader may not change is shown read-only, with "copy into my draft".
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.http.admin import admin_page, back
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.pages.desk import act, component_choices, status_choices, text
from app.comms.review import copying, listing, service
from app.comms.review.preview import review_view
from app.comms.wording import examples
from app.comms.wording.composing import Composing, translations_from_form
from app.comms.wording.promises import promise_from_form
from app.comms.wording.site import site_for
from app.incidents.service import get_update
from app.incidents.status import IncidentKind, update_statuses_for
from app.incidents.timing import promised
from app.lib.errors import DomainError
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
        return await draft_page(request, db, settings, actor, update_id)

    @post("/updates/{update_id:str}/edit", opt={"act": Act.DRAFT})
    async def edit(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str
    ) -> Response[Any]:
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
                promise=promise_from_form(form, zone=settings.zone),
                translations=translations_from_form(form),
                site_language=settings.language,
            )

        try:
            await work()
        except DomainError as exc:
            return await _typed_again(request, db, settings, actor, update_id, form, exc)
        done = "Saved. The preview and tone checks below are up to date."
        if insert:
            done = "The example's words were added after yours; edit them to fit."
        return back(f"/admin/updates/{update_id}", notice=done)

    @post("/updates/{update_id:str}/submit", opt={"act": Act.DRAFT})
    async def submit(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str
    ) -> Response[Any]:
        """Submit what is on the screen: words and statuses changed since the last save are
        saved first."""
        form = await request.form()
        body = text(form, "body")
        status = text(form, "status") or None
        try:
            draft = await get_update(db, update_id)
            components = component_choices(form)
            planned = [{"code": a.id, "new_status": a.status.value} for a in components or []]
            promise = promise_from_form(form, zone=settings.zone)
            translations = translations_from_form(form)
            if (
                (body and body != draft.body)
                or translations != (draft.translations or {})
                or (status and status != draft.status)
                or (components is not None and planned != (draft.affected_components or []))
                or (promise is not None and promise != promised(draft))
            ):
                await service.edit_draft(
                    db,
                    actor=actor,
                    update_id=update_id,
                    body=body or None,
                    components=components,
                    status=status,
                    promise=promise,
                    translations=translations,
                    site_language=settings.language,
                )
            await service.submit_draft(
                db,
                actor=actor,
                update_id=update_id,
                zone=settings.zone,
                site_language=settings.language,
            )
        except DomainError as exc:
            return await _typed_again(request, db, settings, actor, update_id, form, exc)
        return back(f"/admin/updates/{update_id}", notice="Submitted for approval.")

    @post("/updates/{update_id:str}/copy", opt={"act": Act.DRAFT})
    async def copy(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str
    ) -> Redirect:
        """ "Copy into my draft" on a draft one may read but not change."""
        here = f"/admin/updates/{update_id}"
        try:
            mine = await copying.copy_draft(
                db, site_for(settings, request.app.state.renderer), actor=actor, update_id=update_id
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(
            f"/admin/updates/{mine.id}", notice="Copied into a draft of your own: change it here."
        )

    @post("/updates/{update_id:str}/approve", opt={"act": Act.APPROVE})
    async def approve(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str
    ) -> Response[Any]:
        form = await request.form()
        notify = text(form, "notify") != "off"
        try:
            await service.approve_draft(
                db,
                actor=actor,
                update_id=update_id,
                body=text(form, "body") or None,
                notify=notify,
                zone=settings.zone,
                version=text(form, "version") or None,
                sms=text(form, "sms") == "on",
                promise=promise_from_form(form, zone=settings.zone),
                site_language=settings.language,
            )
        except DomainError as exc:
            # The queue again, this card holding the reviewer's words as they typed them.
            await db.rollback()
            typed = {update_id: str(form.get("body") or "")}
            return await queue_page(
                request, db, settings, typed=typed, error=exc.message, status_code=exc.status_code
            )
        done = "Approved and published." if notify else "Approved and published without notifying."
        return back("/admin/queue", notice=done)

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
        return await queue_page(request, db, settings)


async def draft_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    actor: Actor,
    update_id: str,
    *,
    typed: Composing | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response[Any]:
    """A draft's page; `typed` is what the writer sent when a save was refused, shown in
    the form in place of the stored words so that nothing they typed is lost."""
    draft = await get_update(db, update_id)
    view = await review_view(db, site_for(settings, request.app.state.renderer), draft)
    planned = {p["code"]: p["new_status"] for p in draft.affected_components or []}
    context: dict[str, Any] = {"error": error} if error else {}
    return admin_page(
        request,
        "admin/draft.html",
        status_code=status_code,
        view=view,
        draft=draft,
        body=typed.body if typed else draft.body,
        translations=typed.translations if typed else dict(draft.translations or {}),
        kept=typed is not None,
        status=(typed.status if typed else "") or draft.status,
        may_change=permissions.may_change_draft(actor, author_id=draft.author_id),
        may_draft=permissions.may(actor, Act.DRAFT),
        picker=await component_picker(db, [*view.incident.component_ids, *planned]),
        chosen_statuses=(
            typed.components if typed else (planned if draft.state != "published" else {})
        ),
        status_choices=status_choices(),
        statuses=update_statuses_for(IncidentKind(view.incident.kind)),
        examples=await examples.similar_examples(
            db, incident=view.incident, status=draft.status, text=draft.body
        ),
        language_examples=await examples.examples_by_language(
            db, incident=view.incident, status=draft.status, site_language=settings.language
        ),
        **context,
    )


async def _typed_again(
    request: Request,
    db: Db,
    settings: AppSettings,
    actor: Actor,
    update_id: str,
    form: Any,
    exc: DomainError,
) -> Response[Any]:
    """A refused save: nothing of it is kept in the database, everything of it on the form."""
    await db.rollback()
    return await draft_page(
        request,
        db,
        settings,
        actor,
        update_id,
        typed=Composing.from_form(form),
        error=exc.message,
        status_code=exc.status_code,
    )


async def queue_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    *,
    typed: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response[Any]:
    """The review queue; `typed` holds a reviewer's refused edits by draft id."""
    site = site_for(settings, request.app.state.renderer)
    views = [
        await review_view(db, site, draft, review) for draft, review in await listing.queue(db)
    ]
    context: dict[str, Any] = {"error": error} if error else {}
    return admin_page(
        request,
        "admin/queue.html",
        status_code=status_code,
        views=views,
        typed=typed or {},
        **context,
    )
