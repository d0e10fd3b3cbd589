"""The comms lead's desk at /admin: dashboard, incidents, drafts, queue, templates, examples.

Handlers parse the form, call one service verb, and redirect back with a one-line notice or
error (a rule's refusal shows on the page it came from, not as an error page).
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect
from sqlalchemy import func, select

from app.accounts.models import Role
from app.audit.service import list_events
from app.comms import examples, promises, service, wording
from app.comms.api import site_for
from app.comms.models import DraftReview, Example, Pause
from app.comms.sandbox import VARIABLES
from app.comms.schemas import DraftCreate, TemplateCreate, TemplateUpdate, ToneRuleUpdate
from app.comms.tone import DEFAULT_BLAME, DEFAULT_JARGON, DEFAULT_LENGTH, RULES
from app.customers.service import list_customers, page_url
from app.delivery.service import incident_delivery_counts
from app.incidents.models import Update
from app.incidents.service import get_incident, get_update, list_incidents
from app.incidents.status import IncidentKind, statuses_for
from app.intake.service import triage_count, waiting_thread
from app.lib.errors import DomainError, InvalidInput
from app.lib.moments import check_moment
from app.lib.text import markdown_to_safe_html
from app.settings import page_id_for
from app.web.admin import admin_page, back
from app.web.auth import CurrentActor
from app.web.deps import AppSettings, Db
from app.web.session import check_csrf

LEAD = {"role": Role.COMMS_LEAD}


class LivePreview(msgspec.Struct, kw_only=True):
    body: Annotated[str, msgspec.Meta(max_length=20_000)] = ""
    status: str | None = None


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


async def queue_size(db: Db) -> int:
    query = select(func.count()).select_from(Update).where(Update.state == "submitted")
    return await db.scalar(query) or 0


class DeskPages(Controller):
    path = "/admin"
    include_in_schema = False
    before_request = check_csrf

    @get("/")
    async def dashboard(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        mine = await service.list_drafts(db, author=actor.name)
        reviews = {d.id: await service.get_review(db, d.id) for d in mine}
        return admin_page(
            request,
            "admin/dashboard.html",
            rows=await promises.desk(db),
            queue_size=await queue_size(db),
            triage_size=await triage_count(db),
            mine=mine,
            reviews=reviews,
            page_id=page_id_for(settings),
            base_url=settings.base_url,
        )

    # ------------------------------------------------------------ incidents and drafts

    @get("/incidents/{incident_id:str}")
    async def incident(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
    ) -> Response[Any]:
        incident = await get_incident(db, incident_id)
        templates = [
            t
            for t in await wording.list_templates(db)
            if t.status in statuses_for(IncidentKind(incident.kind))
        ]
        status = request.query_params.get("status") or incident.status
        chosen = request.query_params.get("template")
        customer_id = request.query_params.get("customer") or None
        body, preview, findings, problem = "", None, [], ""
        if chosen:
            try:
                template = await wording.get_template(db, chosen)
                status = template.status
                preview = await wording.render_template(
                    db,
                    site_for(settings),
                    subject=template.subject,
                    body=template.body,
                    incident_id=incident.id,
                    status=status,
                    customer_id=customer_id,
                )
                body = preview.body
                findings = await wording.check_tone(db, incident=incident, status=status, body=body)
            except DomainError as exc:
                problem = exc.message
        similar = await examples.similar_examples(db, incident=incident, status=status, text=body)
        marked = set(
            await db.scalars(select(Example.update_id).where(Example.incident_id == incident.id))
        )
        reviews = {
            r.update_id: r
            for r in (
                await db.scalars(select(DraftReview).where(DraftReview.incident_id == incident.id))
            )
        }
        pause = await db.get(Pause, incident.id)
        return admin_page(
            request,
            "admin/incident.html",
            incident=incident,
            updates=list(incident.updates),
            reviews=reviews,
            templates=templates,
            chosen=chosen or "",
            status=status,
            statuses=statuses_for(IncidentKind(incident.kind)),
            customers=await list_customers(db),
            customer_id=customer_id or "",
            body=body,
            preview=preview,
            findings=findings,
            problem=problem,
            examples=similar,
            marked=marked,
            pause=pause,
            audit=await list_events(db, incident_id=incident.id, limit=50),
            deliveries=await incident_delivery_counts(db, incident.id),
            triage=await waiting_thread(db, incident.id),
            public_url=f"{settings.base_url}/incidents/{incident.id}",
        )

    @post("/incidents/{incident_id:str}/drafts")
    async def create_draft(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
    ) -> Redirect:
        form = await request.form()
        here = f"/admin/incidents/{incident_id}"
        try:
            draft = await service.create_draft(
                db,
                site_for(settings),
                actor=actor,
                incident_id=incident_id,
                data=DraftCreate(
                    status=_text(form, "status") or None,
                    template_id=_text(form, "template_id") or None,
                    body=_text(form, "body") or None,
                    customer=_text(form, "customer") or None,
                ),
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(f"/admin/updates/{draft.id}", notice="Draft saved.")

    @post("/incidents/{incident_id:str}/preview", status_code=200)
    async def live_preview(
        self, db: Db, actor: CurrentActor, incident_id: str, data: LivePreview
    ) -> dict[str, Any]:
        incident = await get_incident(db, incident_id)
        status = data.status or incident.status
        findings = await wording.check_tone(db, incident=incident, status=status, body=data.body)
        return {
            "html": markdown_to_safe_html(data.body),
            "findings": [f.as_dict() for f in findings],
        }

    @post("/incidents/{incident_id:str}/pause")
    async def pause(
        self, request: Request, db: Db, actor: CurrentActor, incident_id: str
    ) -> Redirect:
        form = await request.form()
        here = f"/admin/incidents/{incident_id}"
        try:
            raw = _text(form, "resume_at")
            try:
                resume_at = datetime.fromisoformat(raw)
            except ValueError:
                raise InvalidInput("give the time to resume", field="resume_at") from None
            if resume_at.tzinfo is None:
                resume_at = resume_at.replace(tzinfo=request.app.state.settings.zone)
            check_moment(resume_at, "resume_at")
            await promises.pause_incident(
                db,
                actor=actor,
                incident_id=incident_id,
                reason=_text(form, "reason"),
                resume_at=resume_at,
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(here, notice="Updates paused.")

    @post("/incidents/{incident_id:str}/resume")
    async def resume(self, db: Db, actor: CurrentActor, incident_id: str) -> Redirect:
        await promises.resume_incident(db, actor=actor, incident_id=incident_id)
        return back(f"/admin/incidents/{incident_id}", notice="Updates resumed.")

    @get("/updates/{update_id:str}")
    async def draft(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str
    ) -> Response[Any]:
        draft = await get_update(db, update_id)
        view = await service.review_view(db, site_for(settings, request.app.state.renderer), draft)
        return admin_page(request, "admin/draft.html", view=view, draft=draft)

    async def _act(self, db: Db, update_id: str, work: Any, done: str, where: str = "") -> Redirect:
        here = where or f"/admin/updates/{update_id}"
        try:
            await work()
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(here, notice=done)

    @post("/updates/{update_id:str}/edit")
    async def edit(self, request: Request, db: Db, actor: CurrentActor, update_id: str) -> Redirect:
        form = await request.form()
        return await self._act(
            db,
            update_id,
            lambda: service.edit_draft(
                db, actor=actor, update_id=update_id, body=_text(form, "body")
            ),
            "Saved. The preview and tone checks below are up to date.",
        )

    @post("/updates/{update_id:str}/submit")
    async def submit(self, db: Db, actor: CurrentActor, update_id: str) -> Redirect:
        return await self._act(
            db,
            update_id,
            lambda: service.submit_draft(db, actor=actor, update_id=update_id),
            "Submitted for approval.",
        )

    @post("/updates/{update_id:str}/approve", opt=LEAD)
    async def approve(
        self, request: Request, db: Db, actor: CurrentActor, update_id: str
    ) -> Redirect:
        form = await request.form()
        return await self._act(
            db,
            update_id,
            lambda: service.approve_draft(
                db, actor=actor, update_id=update_id, body=_text(form, "body") or None
            ),
            "Approved and published.",
            where="/admin/queue",
        )

    @post("/updates/{update_id:str}/reject", opt=LEAD)
    async def reject(
        self, request: Request, db: Db, actor: CurrentActor, update_id: str
    ) -> Redirect:
        form = await request.form()
        return await self._act(
            db,
            update_id,
            lambda: service.reject_draft(
                db, actor=actor, update_id=update_id, reason=_text(form, "reason")
            ),
            "Sent back to its author.",
            where="/admin/queue",
        )

    @get("/queue")
    async def queue(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        site = site_for(settings, request.app.state.renderer)
        views = [
            await service.review_view(db, site, draft, review)
            for draft, review in await service.queue(db)
        ]
        return admin_page(request, "admin/queue.html", views=views)

    # ------------------------------------------------------------ templates and tone

    @get("/templates")
    async def templates(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        return admin_page(
            request,
            "admin/templates.html",
            templates=await wording.list_templates(db),
            statuses=wording.ALL_STATUSES,
            variables=VARIABLES,
        )

    @post("/templates", opt=LEAD)
    async def create_template(self, request: Request, db: Db, actor: CurrentActor) -> Redirect:
        form = await request.form()
        try:
            template = await wording.create_template(
                db,
                actor=actor,
                data=TemplateCreate(
                    name=_text(form, "name"),
                    status=_text(form, "status"),
                    subject=_text(form, "subject") or "{{ title }}: {{ status }}",
                    body=_text(form, "body"),
                    impact=_text(form, "impact") or None,
                    audience=_text(form, "audience") or None,
                    notes=_text(form, "notes"),
                ),
            )
        except DomainError as exc:
            await db.rollback()
            return back("/admin/templates", error=exc.message)
        return back(f"/admin/templates/{template.id}", notice="Template created.")

    @get("/templates/{template_id:str}")
    async def template(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        template_id: str,
    ) -> Response[Any]:
        template: Any = await wording.get_template(db, template_id)
        return await self._template_page(
            request, db, settings, template, request.query_params.get("incident")
        )

    @post("/templates/{template_id:str}/preview")
    async def preview_template(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        template_id: str,
    ) -> Response[Any]:
        """The edit page again with the unsaved text and its preview; nothing is saved."""
        saved = await wording.get_template(db, template_id)
        form = await request.form()
        unsaved = SimpleNamespace(
            id=saved.id,
            name=_text(form, "name"),
            status=_text(form, "status"),
            impact=_text(form, "impact") or None,
            audience=_text(form, "audience") or None,
            subject=str(form.get("subject") or ""),
            body=str(form.get("body") or ""),
            notes=_text(form, "notes"),
        )
        return await self._template_page(
            request, db, settings, unsaved, _text(form, "incident"), unsaved_changes=True
        )

    async def _template_page(
        self,
        request: Request,
        db: Db,
        settings: AppSettings,
        template: Any,
        incident_id: str | None,
        unsaved_changes: bool = False,
    ) -> Response[Any]:
        incidents = await list_incidents(db, limit=30)
        incidents += await list_incidents(db, kind=IncidentKind.MAINTENANCE, limit=10)
        incident_id = incident_id or (incidents[0].id if incidents else "")
        preview, problem = None, ""
        if incident_id:
            try:
                preview = await wording.render_template(
                    db,
                    site_for(settings),
                    subject=template.subject,
                    body=template.body,
                    incident_id=incident_id,
                    status=template.status,
                )
            except DomainError as exc:
                problem = exc.message
        return admin_page(
            request,
            "admin/template.html",
            template=template,
            statuses=wording.ALL_STATUSES,
            variables=VARIABLES,
            incidents=incidents,
            incident_id=incident_id,
            preview=preview,
            problem=problem,
            unsaved_changes=unsaved_changes,
        )

    @post("/templates/{template_id:str}", opt=LEAD)
    async def save_template(
        self, request: Request, db: Db, actor: CurrentActor, template_id: str
    ) -> Redirect:
        form = await request.form()
        here = f"/admin/templates/{template_id}"
        try:
            await wording.update_template(
                db,
                actor=actor,
                template_id=template_id,
                data=TemplateUpdate(
                    name=_text(form, "name"),
                    status=_text(form, "status"),
                    subject=_text(form, "subject"),
                    body=_text(form, "body"),
                    impact=_text(form, "impact"),
                    audience=_text(form, "audience"),
                    notes=_text(form, "notes"),
                ),
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(here, notice="Template saved.")

    @post("/templates/{template_id:str}/delete", opt=LEAD)
    async def delete_template(self, db: Db, actor: CurrentActor, template_id: str) -> Redirect:
        await wording.delete_template(db, actor=actor, template_id=template_id)
        return back("/admin/templates", notice="Template deleted.")

    @get("/tone")
    async def tone(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        return admin_page(
            request,
            "admin/tone.html",
            rules=RULES,
            settings=await wording.tone_settings(db),
            policy=await wording.load_policy(db),
            is_admin=actor.has_role(Role.ADMIN),
            defaults={
                "blame_words": ", ".join(DEFAULT_BLAME),
                "jargon": ", ".join(DEFAULT_JARGON),
                "length": DEFAULT_LENGTH,
            },
        )

    @post("/tone/{name:str}", opt=LEAD)
    async def save_tone_rule(
        self, request: Request, db: Db, actor: CurrentActor, name: str
    ) -> Redirect:
        form = await request.form()
        words = _text(form, "words")
        limit = _text(form, "limit")
        try:
            await wording.set_tone_rule(
                db,
                actor=actor,
                name=name,
                data=ToneRuleUpdate(
                    enabled=form.get("enabled") == "on",
                    blocking=form.get("blocking") == "on",
                    words=[w for w in words.split(",")] if words else None,
                    limit=int(limit) if limit.isdigit() else None,
                ),
            )
        except DomainError as exc:
            await db.rollback()
            return back("/admin/tone", error=exc.message)
        return back("/admin/tone", notice=f"Rule {name} saved.")

    @post("/policy", opt={"role": Role.ADMIN})
    async def save_policy(self, request: Request, db: Db, actor: CurrentActor) -> Redirect:
        form = await request.form()
        await wording.set_policy(
            db,
            actor=actor,
            require_approval=form.get("require_approval") == "on",
            author_may_approve_major=form.get("author_may_approve_major") == "on",
        )
        return back("/admin/tone", notice="Approval policy saved.", anchor="policy")

    # ------------------------------------------------------------ examples and customers

    @get("/examples")
    async def examples(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        q = request.query_params.get("q", "")[:200]
        return admin_page(
            request, "admin/examples.html", q=q, examples=await examples.search_examples(db, text=q)
        )

    @post("/examples/{update_id:str}", opt=LEAD)
    async def mark_example(
        self, request: Request, db: Db, actor: CurrentActor, update_id: str
    ) -> Redirect:
        form = await request.form()
        tags = _text(form, "tags").split(",")
        update = await get_update(db, update_id)
        return await self._act(
            db,
            update_id,
            lambda: examples.mark_example(db, actor=actor, update_id=update_id, tags=tags),
            "Kept as an example.",
            where=f"/admin/incidents/{update.incident_id}",
        )

    @post("/examples/{update_id:str}/unmark", opt=LEAD)
    async def unmark_example(self, db: Db, actor: CurrentActor, update_id: str) -> Redirect:
        return await self._act(
            db,
            update_id,
            lambda: examples.unmark_example(db, actor=actor, update_id=update_id),
            "No longer an example.",
            where="/admin/examples",
        )

    @get("/customers")
    async def customers(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        rows = [(c, page_url(settings.base_url, c)) for c in await list_customers(db)]
        return admin_page(request, "admin/customers.html", rows=rows)
