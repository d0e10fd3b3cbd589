"""The comms desk's wording pages at /admin: templates and their live preview, tone rules,
the approval policy, past examples, and the customer list.

Handlers parse the form, call one service verb, and redirect back with a one-line notice or
error (a rule's refusal shows on the page it came from, not as an error page).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts import permissions
from app.accounts.http.admin import admin_page, back
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.pages.desk import act, text
from app.comms.review import policy_store
from app.comms.schemas import TemplateCreate, TemplateUpdate, ToneRuleUpdate
from app.comms.wording import examples, tone_rules
from app.comms.wording import templates as wording
from app.comms.wording.sandbox import VARIABLES
from app.comms.wording.site import site_for
from app.comms.wording.tone import DEFAULT_BLAME, DEFAULT_JARGON, DEFAULT_LENGTH, RULES
from app.customers.service import list_customers, page_url
from app.incidents.service import get_update, list_incidents
from app.incidents.status import IncidentKind
from app.lib.errors import DomainError
from app.web.deps import AppSettings, Db


class WordingPages(Controller):
    path = "/admin"
    opt = {"act": Act.READ_DESK}
    include_in_schema = False

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

    @post("/templates", opt={"act": Act.MANAGE_TEMPLATES})
    async def create_template(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Redirect:
        form = await request.form()
        try:
            template = await wording.create_template(
                db,
                actor=actor,
                site_language=settings.language,
                data=TemplateCreate(
                    name=text(form, "name"),
                    status=text(form, "status"),
                    subject=text(form, "subject") or "{{ title }}: {{ status }}",
                    body=text(form, "body"),
                    impact=text(form, "impact") or None,
                    audience=text(form, "audience") or None,
                    notes=text(form, "notes"),
                    language=text(form, "language") or None,
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

    @post("/templates/{template_id:str}/preview", opt={"act": Act.DRAFT})
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
            name=text(form, "name"),
            status=text(form, "status"),
            impact=text(form, "impact") or None,
            audience=text(form, "audience") or None,
            language=text(form, "language") or saved.language,
            subject=str(form.get("subject") or ""),
            body=str(form.get("body") or ""),
            notes=text(form, "notes"),
        )
        return await self._template_page(
            request, db, settings, unsaved, text(form, "incident"), unsaved_changes=True
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

    @post("/templates/{template_id:str}", opt={"act": Act.MANAGE_TEMPLATES})
    async def save_template(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings, template_id: str
    ) -> Redirect:
        form = await request.form()
        here = f"/admin/templates/{template_id}"
        try:
            await wording.update_template(
                db,
                actor=actor,
                site_language=settings.language,
                template_id=template_id,
                data=TemplateUpdate(
                    name=text(form, "name"),
                    status=text(form, "status"),
                    subject=text(form, "subject"),
                    body=text(form, "body"),
                    impact=text(form, "impact"),
                    audience=text(form, "audience"),
                    notes=text(form, "notes"),
                    language=text(form, "language"),
                ),
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(here, notice="Template saved.")

    @post("/templates/{template_id:str}/delete", opt={"act": Act.MANAGE_TEMPLATES})
    async def delete_template(self, db: Db, actor: CurrentActor, template_id: str) -> Redirect:
        await wording.delete_template(db, actor=actor, template_id=template_id)
        return back("/admin/templates", notice="Template deleted.")

    @get("/tone")
    async def tone(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        return admin_page(
            request,
            "admin/tone.html",
            rules=RULES,
            settings=await tone_rules.tone_settings(db),
            policy=await policy_store.load_policy(db),
            is_admin=permissions.may(actor, Act.MANAGE_POLICY),
            defaults={
                "blame_words": ", ".join(DEFAULT_BLAME),
                "jargon": ", ".join(DEFAULT_JARGON),
                "length": DEFAULT_LENGTH,
            },
        )

    @post("/tone/{name:str}", opt={"act": Act.MANAGE_TONE})
    async def save_tone_rule(
        self, request: Request, db: Db, actor: CurrentActor, name: str
    ) -> Redirect:
        form = await request.form()
        words = text(form, "words")
        limit = text(form, "limit")
        try:
            await tone_rules.set_tone_rule(
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

    @post("/policy", opt={"act": Act.MANAGE_POLICY})
    async def save_policy(self, request: Request, db: Db, actor: CurrentActor) -> Redirect:
        form = await request.form()
        await policy_store.set_policy(
            db,
            actor=actor,
            require_approval=form.get("require_approval") == "on",
            author_may_approve_major=form.get("author_may_approve_major") == "on",
            require_customer_language=form.get("require_customer_language") == "on",
        )
        return back("/admin/tone", notice="Approval policy saved.", anchor="policy")

    # ------------------------------------------------------------ examples and customers

    @get("/examples")
    async def examples(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        q = request.query_params.get("q", "")[:200]
        return admin_page(
            request, "admin/examples.html", q=q, examples=await examples.search_examples(db, text=q)
        )

    @post("/examples/{update_id:str}", opt={"act": Act.MANAGE_EXAMPLES})
    async def mark_example(
        self, request: Request, db: Db, actor: CurrentActor, update_id: str
    ) -> Redirect:
        form = await request.form()
        tags = text(form, "tags").split(",")
        update = await get_update(db, update_id)
        return await act(
            db,
            lambda: examples.mark_example(db, actor=actor, update_id=update_id, tags=tags),
            "Kept as an example.",
            f"/admin/incidents/{update.incident_id}",
        )

    @post("/examples/{update_id:str}/unmark", opt={"act": Act.MANAGE_EXAMPLES})
    async def unmark_example(self, db: Db, actor: CurrentActor, update_id: str) -> Redirect:
        return await act(
            db,
            lambda: examples.unmark_example(db, actor=actor, update_id=update_id),
            "No longer an example.",
            "/admin/examples",
        )

    @get("/customers")
    async def customers(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        # A page link carries the customer's token, the key to its private page: only
        # those who may publish to customers (comms leads, admins) are shown it.
        show = actor.may_publish
        rows = [
            (c, page_url(settings.base_url, c) if show else None) for c in await list_customers(db)
        ]
        return admin_page(request, "admin/customers.html", rows=rows)
