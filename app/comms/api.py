"""JSON API of the comms desk: templates, examples, tone rules, drafts, the queue, audit."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import Parameter

from app.accounts.auth import CurrentActor
from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.audit.service import list_events
from app.comms import examples, promises, service, wording
from app.comms.models import DraftReview, Example, MessageTemplate
from app.comms.schemas import (
    ApproveRequest,
    AudiencePreviewRead,
    AuditEventRead,
    DraftCreate,
    DraftEdit,
    ExampleMark,
    ExampleRead,
    PauseCreate,
    PolicyRead,
    PolicyUpdate,
    PreviewRead,
    PreviewRequest,
    QueueItemRead,
    RejectRequest,
    ReviewRead,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
    ToneRuleRead,
    ToneRuleUpdate,
)
from app.comms.site import site_for
from app.comms.tone import RULES
from app.incidents.api import update_read
from app.incidents.schemas import UpdateRead
from app.incidents.service import get_incident, get_update
from app.lib.errors import InvalidInput
from app.web.deps import AppSettings, Db
from app.web.idempotency import create_once

LEAD = {"role": Role.COMMS_LEAD}


def template_read(t: MessageTemplate) -> TemplateRead:
    return TemplateRead(
        id=t.id,
        name=t.name,
        status=t.status,
        impact=t.impact,
        audience=t.audience,
        subject=t.subject,
        body=t.body,
        notes=t.notes,
        updated_by=t.updated_by,
        updated_at=t.updated_at,
    )


def example_read(e: Example) -> ExampleRead:
    return ExampleRead(
        update_id=e.update_id,
        incident_id=e.incident_id,
        title=e.title,
        body=e.body,
        status=e.status,
        impact=e.impact,
        tags=list(e.tags or []),
        marked_by=e.marked_by,
    )


def review_read(r: DraftReview | None) -> ReviewRead | None:
    if r is None:
        return None
    return ReviewRead(
        template_id=r.template_id,
        template_text=r.template_text,
        submitted_at=r.submitted_at,
        submitted_by=r.submitted_by,
        reviewed_at=r.reviewed_at,
        reviewed_by=r.reviewed_by,
        rejection_reason=r.rejection_reason,
        edited_on_approval=bool(r.edited_on_approval),
        findings=list(r.findings or []),
    )


def audit_read(e: AuditEvent) -> AuditEventRead:
    return AuditEventRead(
        id=e.id,
        at=e.at,
        actor=e.actor,
        action=e.action,
        subject_type=e.subject_type,
        subject_id=e.subject_id,
        incident_id=e.incident_id,
        detail=e.detail or {},
    )


class DraftRead(msgspec.Struct, kw_only=True):
    update: UpdateRead
    review: ReviewRead | None


class TemplateController(Controller):
    path = "/api/v1/templates"
    tags = ["comms"]

    @get("/")
    async def list_templates(self, db: Db, actor: CurrentActor) -> list[TemplateRead]:
        return [template_read(t) for t in await wording.list_templates(db)]

    @post("/", status_code=201, opt=LEAD)
    async def create_template(
        self, request: Request, db: Db, actor: CurrentActor, data: TemplateCreate
    ) -> Response[Any]:
        async def create() -> TemplateRead:
            return template_read(await wording.create_template(db, actor=actor, data=data))

        return await create_once(request, db, create)

    @get("/{template_id:str}")
    async def get_template(self, db: Db, actor: CurrentActor, template_id: str) -> TemplateRead:
        return template_read(await wording.get_template(db, template_id))

    @patch("/{template_id:str}", opt=LEAD)
    async def update_template(
        self, db: Db, actor: CurrentActor, template_id: str, data: TemplateUpdate
    ) -> TemplateRead:
        template = await wording.update_template(
            db, actor=actor, template_id=template_id, data=data
        )
        return template_read(template)

    @delete("/{template_id:str}", opt=LEAD)
    async def delete_template(self, db: Db, actor: CurrentActor, template_id: str) -> None:
        await wording.delete_template(db, actor=actor, template_id=template_id)

    @post("/preview", status_code=200)
    async def preview(
        self, db: Db, actor: CurrentActor, settings: AppSettings, data: PreviewRequest
    ) -> PreviewRead:
        subject, body = data.subject or "", data.body
        if data.template_id:
            template = await wording.get_template(db, data.template_id)
            subject = data.subject if data.subject is not None else template.subject
            body = data.body if data.body is not None else template.body
        if body is None:
            raise InvalidInput("give a template_id or a body", field="body")
        rendered = await wording.render_template(
            db,
            site_for(settings),
            subject=subject,
            body=body,
            incident_id=data.incident_id,
            status=data.status,
            customer_id=data.customer,
        )
        incident = await get_incident(db, data.incident_id)
        findings = await wording.check_tone(
            db, incident=incident, status=data.status or incident.status, body=rendered.body
        )
        return PreviewRead(
            subject=rendered.subject,
            body=rendered.body,
            html=rendered.html,
            next_update_at=rendered.next_update_at,
            findings=[f.as_dict() for f in findings],
        )


class DraftController(Controller):
    path = "/api/v1"
    tags = ["comms"]

    @post("/incidents/{incident_id:str}/drafts", status_code=201)
    async def create_draft(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        data: DraftCreate,
    ) -> Response[Any]:
        async def create() -> DraftRead:
            draft = await service.create_draft(
                db, site_for(settings), actor=actor, incident_id=incident_id, data=data
            )
            return DraftRead(
                update=update_read(draft),
                review=review_read(await service.get_review(db, draft.id)),
            )

        return await create_once(request, db, create)

    @get("/incidents/{incident_id:str}/drafts")
    async def list_drafts(self, db: Db, actor: CurrentActor, incident_id: str) -> list[DraftRead]:
        await get_incident(db, incident_id)
        drafts = await service.list_drafts(db, incident_id=incident_id)
        return [
            DraftRead(update=update_read(d), review=review_read(await service.get_review(db, d.id)))
            for d in drafts
        ]

    @get("/updates/{update_id:str}")
    async def get_draft(self, db: Db, actor: CurrentActor, update_id: str) -> DraftRead:
        draft = await get_update(db, update_id)
        return DraftRead(
            update=update_read(draft), review=review_read(await service.get_review(db, draft.id))
        )

    @patch("/updates/{update_id:str}")
    async def edit_draft(
        self, db: Db, actor: CurrentActor, update_id: str, data: DraftEdit
    ) -> UpdateRead:
        draft = await service.edit_draft(db, actor=actor, update_id=update_id, body=data.body)
        return update_read(draft)

    @post("/updates/{update_id:str}/submit", status_code=200)
    async def submit(self, db: Db, actor: CurrentActor, update_id: str) -> UpdateRead:
        draft = await service.submit_draft(db, actor=actor, update_id=update_id)
        return update_read(draft)

    @post("/updates/{update_id:str}/approve", status_code=200, opt=LEAD)
    async def approve(
        self, db: Db, actor: CurrentActor, update_id: str, data: ApproveRequest | None = None
    ) -> UpdateRead:
        body = data.body if data is not None else None
        draft = await service.approve_draft(db, actor=actor, update_id=update_id, body=body)
        return update_read(draft)

    @post("/updates/{update_id:str}/reject", status_code=200, opt=LEAD)
    async def reject(
        self, db: Db, actor: CurrentActor, update_id: str, data: RejectRequest
    ) -> UpdateRead:
        draft = await service.reject_draft(db, actor=actor, update_id=update_id, reason=data.reason)
        return update_read(draft)

    @get("/queue")
    async def list_queue(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> list[QueueItemRead]:
        items = []
        site = site_for(settings, request.app.state.renderer)
        for draft, review in await service.queue(db):
            view = await service.review_view(db, site, draft, review)
            items.append(
                QueueItemRead(
                    update=msgspec.to_builtins(update_read(draft)),
                    incident={
                        "id": view.incident.id,
                        "title": view.incident.title,
                        "status": view.incident.status,
                        "impact": view.incident.impact,
                        "visibility": view.incident.visibility,
                    },
                    audience=view.audience_label,
                    review=review_read(review),
                    previews=[
                        AudiencePreviewRead(
                            audience=p.label,
                            page_url=p.page_url,
                            html=p.html,
                            email_subject=p.email_subject,
                            email_body=p.email_body,
                        )
                        for p in view.previews
                    ],
                    findings=[f.as_dict() for f in view.findings],
                    changes_since_template=view.diff,
                )
            )
        return items

    @put("/incidents/{incident_id:str}/pause", status_code=200)
    async def pause(
        self, db: Db, actor: CurrentActor, incident_id: str, data: PauseCreate
    ) -> dict[str, Any]:
        pause = await promises.pause_incident(
            db, actor=actor, incident_id=incident_id, reason=data.reason, resume_at=data.resume_at
        )
        return {"incident_id": incident_id, "reason": pause.reason, "resume_at": pause.resume_at}

    @delete("/incidents/{incident_id:str}/pause")
    async def resume(self, db: Db, actor: CurrentActor, incident_id: str) -> None:
        await promises.resume_incident(db, actor=actor, incident_id=incident_id)

    @get("/desk")
    async def desk(self, db: Db, actor: CurrentActor) -> list[dict[str, Any]]:
        return [
            {
                "incident_id": row.incident.id,
                "title": row.incident.title,
                "status": row.incident.status,
                "impact": row.incident.impact,
                "next_update_at": row.incident.next_update_at,
                "overdue": row.overdue,
                "paused": row.pause is not None,
                "pause_reason": row.pause.reason if row.pause else None,
                "resume_at": row.pause.resume_at if row.pause else None,
                "submitted_drafts": row.drafts,
            }
            for row in await promises.desk(db)
        ]

    @get("/incidents/{incident_id:str}/audit")
    async def incident_audit(
        self, db: Db, actor: CurrentActor, incident_id: str
    ) -> list[AuditEventRead]:
        await get_incident(db, incident_id)
        return [audit_read(e) for e in await list_events(db, incident_id=incident_id)]

    @get("/audit")
    async def audit(
        self, db: Db, actor: CurrentActor, limit: int = Parameter(default=200, ge=1, le=1000)
    ) -> list[AuditEventRead]:
        return [audit_read(e) for e in await list_events(db, limit=limit)]


class ExampleController(Controller):
    path = "/api/v1"
    tags = ["comms"]

    @get("/examples")
    async def search(
        self, db: Db, actor: CurrentActor, q: str = Parameter(default="", max_length=200)
    ) -> list[ExampleRead]:
        return [example_read(e) for e in await examples.search_examples(db, text=q)]

    @put("/examples/{update_id:str}", opt=LEAD)
    async def mark(
        self, db: Db, actor: CurrentActor, update_id: str, data: ExampleMark
    ) -> ExampleRead:
        example = await examples.mark_example(db, actor=actor, update_id=update_id, tags=data.tags)
        return example_read(example)

    @delete("/examples/{update_id:str}", opt=LEAD)
    async def unmark(self, db: Db, actor: CurrentActor, update_id: str) -> None:
        await examples.unmark_example(db, actor=actor, update_id=update_id)

    @get("/incidents/{incident_id:str}/similar-examples")
    async def similar(
        self,
        db: Db,
        actor: CurrentActor,
        incident_id: str,
        status: str | None = None,
        q: str = Parameter(default="", max_length=2000),
    ) -> list[ExampleRead]:
        incident = await get_incident(db, incident_id)
        found = await examples.similar_examples(
            db, incident=incident, status=status or incident.status, text=q
        )
        return [example_read(e) for e in found]

    @get("/tone-rules")
    async def tone_rules(self, db: Db, actor: CurrentActor) -> list[ToneRuleRead]:
        settings = await wording.tone_settings(db)
        out = []
        for name, description in RULES.items():
            s = settings.get(name)
            out.append(
                ToneRuleRead(
                    name=name,
                    description=description,
                    enabled=s.enabled if s else True,
                    blocking=s.blocking if s else False,
                    words=list(s.words) if s and s.words else None,
                    limit=s.limit if s else None,
                )
            )
        return out

    @patch("/tone-rules/{name:str}", opt=LEAD)
    async def set_tone_rule(
        self, db: Db, actor: CurrentActor, name: str, data: ToneRuleUpdate
    ) -> dict[str, Any]:
        row = await wording.set_tone_rule(db, actor=actor, name=name, data=data)
        return {"name": row.name, "enabled": row.enabled, "blocking": row.blocking}

    @get("/comms-policy")
    async def get_policy(self, db: Db, actor: CurrentActor) -> PolicyRead:
        p = await wording.load_policy(db)
        return PolicyRead(
            require_approval=p.require_approval, author_may_approve_major=p.author_may_approve_major
        )

    @patch("/comms-policy", opt={"role": Role.ADMIN})
    async def set_policy(self, db: Db, actor: CurrentActor, data: PolicyUpdate) -> PolicyRead:
        p = await wording.set_policy(
            db,
            actor=actor,
            require_approval=data.require_approval,
            author_may_approve_major=data.author_may_approve_major,
        )
        return PolicyRead(
            require_approval=p.require_approval, author_may_approve_major=p.author_may_approve_major
        )
