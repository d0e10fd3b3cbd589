"""JSON API of the comms desk: drafts, the review queue, the desk of open incidents, audit.

Templates, tone rules, the approval policy and examples are `app.comms.api.templates`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import Parameter

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.audit.models import AuditEvent
from app.audit.service import list_events
from app.comms.models import DraftReview
from app.comms.review import binding, declaring, listing, service
from app.comms.review.preview import review_view
from app.comms.schemas import (
    ApproveRequest,
    AudiencePreviewRead,
    AuditEventRead,
    ComponentChangeRead,
    Declaration,
    DraftCreate,
    DraftEdit,
    PauseCreate,
    QueueItemRead,
    RecipientsRead,
    RejectRequest,
    ReviewRead,
    SmsPreviewRead,
)
from app.comms.wording import promises
from app.comms.wording.site import site_for
from app.incidents.api import update_read
from app.incidents.models import Update
from app.incidents.schemas import UpdateRead
from app.incidents.service import get_incident, get_update
from app.incidents.timing import chosen_promise
from app.lib.clock import utcnow
from app.web.deps import AppSettings, Db
from app.web.idempotency import create_once


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
        retired_at=r.retired_at,
        retired_note=r.retired_note,
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
    # Who the words reach now, as a fingerprint an approval may send back (`version`), and
    # what changed about it since they were submitted.
    version: str | None = None
    changed_since_submitted: list[str] = []


async def draft_read(db: Db, draft: Update) -> DraftRead:
    review = await service.get_review(db, draft.id)
    incident = await get_incident(db, draft.incident_id)
    version, changed = await binding.as_shown(db, incident, draft, review)
    return DraftRead(
        update=update_read(draft),
        review=review_read(review),
        version=version,
        changed_since_submitted=changed,
    )


class DeclaredRead(msgspec.Struct, kw_only=True):
    incident_id: str
    draft: DraftRead


class DraftController(Controller):
    path = "/api/v1"
    opt = {"act": Act.READ_DESK}
    tags = ["comms"]

    @post("/incidents/{incident_id:str}/drafts", status_code=201, opt={"act": Act.DRAFT})
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
            return await draft_read(db, draft)

        return await create_once(request, db, create)

    @get("/incidents/{incident_id:str}/drafts")
    async def list_drafts(self, db: Db, actor: CurrentActor, incident_id: str) -> list[DraftRead]:
        await get_incident(db, incident_id)
        drafts = await listing.list_drafts(db, incident_id=incident_id)
        return [await draft_read(db, d) for d in drafts]

    @get("/drafts/mine")
    async def my_drafts(self, db: Db, actor: CurrentActor) -> list[DraftRead]:
        """The caller's drafts in progress (sent back ones with the reason) and their words
        published in the last seven days: what became of what they wrote."""
        mine = await listing.list_drafts(db, author_id=actor.id)
        mine += await listing.published_for(db, author_id=actor.id)
        return [await draft_read(db, d) for d in mine]

    @get("/updates/{update_id:str}")
    async def get_draft(self, db: Db, actor: CurrentActor, update_id: str) -> DraftRead:
        return await draft_read(db, await get_update(db, update_id))

    @patch("/updates/{update_id:str}", opt={"act": Act.DRAFT})
    async def edit_draft(
        self, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str, data: DraftEdit
    ) -> UpdateRead:
        draft = await service.edit_draft(
            db,
            actor=actor,
            update_id=update_id,
            body=data.body,
            translations=data.translations,
            site_language=settings.language,
            components=data.components,
            status=data.status,
            promise=chosen_promise(
                minutes=data.next_update_in_minutes, at=data.next_update_at, now=utcnow()
            ),
        )
        return update_read(draft)

    @post("/updates/{update_id:str}/submit", status_code=200, opt={"act": Act.DRAFT})
    async def submit(
        self, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str
    ) -> UpdateRead:
        draft = await service.submit_draft(
            db,
            actor=actor,
            update_id=update_id,
            zone=settings.zone,
            site_language=settings.language,
        )
        return update_read(draft)

    @post("/updates/{update_id:str}/approve", status_code=200, opt={"act": Act.APPROVE})
    async def approve(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        update_id: str,
        data: ApproveRequest | None = None,
    ) -> UpdateRead:
        data = data or ApproveRequest()
        draft = await service.approve_draft(
            db,
            actor=actor,
            update_id=update_id,
            body=data.body,
            notify=data.notify,
            zone=settings.zone,
            version=data.version,
            sms=data.sms,
            site_language=settings.language,
            promise=chosen_promise(
                minutes=data.next_update_in_minutes, at=data.next_update_at, now=utcnow()
            ),
        )
        return update_read(draft)

    @post("/declarations", status_code=201, opt={"act": Act.OPEN_INCIDENT})
    async def declare(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        data: Declaration,
    ) -> Response[Any]:
        """Declare an incident as the desk does: its facts, and first words drafted from the
        "investigating" template (submitted, or published at once, when asked)."""

        async def create() -> DeclaredRead:
            site = site_for(settings, request.app.state.renderer)
            declared = await declaring.declare(db, site, actor=actor, data=data)
            return DeclaredRead(
                incident_id=declared.incident.id,
                draft=await draft_read(db, declared.draft),
            )

        return await create_once(request, db, create)

    @post("/updates/{update_id:str}/reject", status_code=200, opt={"act": Act.REJECT})
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
        for draft, review in await listing.queue(db):
            view = await review_view(db, site, draft, review)
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
                    component_changes=[
                        ComponentChangeRead(
                            id=c.component_id,
                            name=c.name,
                            old_status=c.before,
                            new_status=c.after,
                            text=c.text,
                        )
                        for c in view.changes
                    ],
                    recipients=RecipientsRead(
                        notify=view.recipients.notify,
                        channels=view.recipients.channels,
                        customers=view.recipients.customers,
                        text=view.recipients.text,
                    ),
                    email_subject=view.previews[0].email_subject if view.previews else None,
                    customers=view.customers,
                    joins=view.joins,
                    version=view.version,
                    changed_since_submitted=view.changed,
                    sms=SmsPreviewRead(
                        text=view.sms.text,
                        encoding=view.sms.segments.encoding,
                        segments=view.sms.segments.count,
                        numbers=view.sms.numbers,
                        cost=view.sms.cost,
                        by_default=view.sms.by_default,
                    )
                    if view.sms
                    else None,
                )
            )
        return items

    @put("/incidents/{incident_id:str}/pause", status_code=200, opt={"act": Act.PAUSE_PROMISES})
    async def pause(
        self, db: Db, actor: CurrentActor, incident_id: str, data: PauseCreate
    ) -> dict[str, Any]:
        pause = await promises.pause_incident(
            db, actor=actor, incident_id=incident_id, reason=data.reason, resume_at=data.resume_at
        )
        return {"incident_id": incident_id, "reason": pause.reason, "resume_at": pause.resume_at}

    @delete("/incidents/{incident_id:str}/pause", opt={"act": Act.PAUSE_PROMISES})
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
