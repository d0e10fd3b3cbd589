"""JSON API of the comms desk's wording: templates and their preview, tone rules, the
approval policy, and past examples."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import Parameter

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.models import Example, MessageTemplate
from app.comms.review import policy_store
from app.comms.schemas import (
    ExampleMark,
    ExampleRead,
    PolicyRead,
    PolicyUpdate,
    PreviewRead,
    PreviewRequest,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
    ToneRuleRead,
    ToneRuleUpdate,
)
from app.comms.wording import examples, tone_rules
from app.comms.wording import templates as wording
from app.comms.wording.site import site_for
from app.comms.wording.tone import RULES
from app.incidents.service import get_incident
from app.lib.errors import InvalidInput
from app.web.deps import AppSettings, Db
from app.web.idempotency import create_once


def template_read(t: MessageTemplate) -> TemplateRead:
    return TemplateRead(
        language=t.language,
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
        language=e.language,
    )


class TemplateController(Controller):
    path = "/api/v1/templates"
    opt = {"act": Act.READ_DESK}
    tags = ["comms"]

    @get("/")
    async def list_templates(self, db: Db, actor: CurrentActor) -> list[TemplateRead]:
        return [template_read(t) for t in await wording.list_templates(db)]

    @post("/", status_code=201, opt={"act": Act.MANAGE_TEMPLATES})
    async def create_template(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        data: TemplateCreate,
    ) -> Response[Any]:
        async def create() -> TemplateRead:
            template = await wording.create_template(
                db, actor=actor, data=data, site_language=settings.language
            )
            return template_read(template)

        return await create_once(request, db, create)

    @get("/{template_id:str}")
    async def get_template(self, db: Db, actor: CurrentActor, template_id: str) -> TemplateRead:
        return template_read(await wording.get_template(db, template_id))

    @patch("/{template_id:str}", opt={"act": Act.MANAGE_TEMPLATES})
    async def update_template(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        template_id: str,
        data: TemplateUpdate,
    ) -> TemplateRead:
        template = await wording.update_template(
            db, actor=actor, template_id=template_id, data=data, site_language=settings.language
        )
        return template_read(template)

    @delete("/{template_id:str}", opt={"act": Act.MANAGE_TEMPLATES})
    async def delete_template(self, db: Db, actor: CurrentActor, template_id: str) -> None:
        await wording.delete_template(db, actor=actor, template_id=template_id)

    @post("/preview", status_code=200, opt={"act": Act.DRAFT})
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
            # The customer's private link only for those who may publish to customers.
            reveal_links=actor.may_publish,
        )
        incident = await get_incident(db, data.incident_id)
        findings = await tone_rules.check_tone(
            db, incident=incident, status=data.status or incident.status, body=rendered.body
        )
        return PreviewRead(
            subject=rendered.subject,
            body=rendered.body,
            html=rendered.html,
            next_update_at=rendered.next_update_at,
            findings=[f.as_dict() for f in findings],
        )


class ExampleController(Controller):
    path = "/api/v1"
    opt = {"act": Act.READ_DESK}
    tags = ["comms"]

    @get("/examples")
    async def search(
        self, db: Db, actor: CurrentActor, q: str = Parameter(default="", max_length=200)
    ) -> list[ExampleRead]:
        return [example_read(e) for e in await examples.search_examples(db, text=q)]

    @put("/examples/{update_id:str}", opt={"act": Act.MANAGE_EXAMPLES})
    async def mark(
        self, db: Db, actor: CurrentActor, settings: AppSettings, update_id: str, data: ExampleMark
    ) -> ExampleRead:
        example = await examples.mark_example(
            db,
            actor=actor,
            update_id=update_id,
            tags=data.tags,
            language=data.language,
            site_language=settings.language,
        )
        return example_read(example)

    @delete("/examples/{update_id:str}", opt={"act": Act.MANAGE_EXAMPLES})
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


class ToneController(Controller):
    path = "/api/v1"
    opt = {"act": Act.READ_DESK}
    tags = ["comms"]

    @get("/tone-rules")
    async def tone_rules(self, db: Db, actor: CurrentActor) -> list[ToneRuleRead]:
        settings = await tone_rules.tone_settings(db)
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

    @patch("/tone-rules/{name:str}", opt={"act": Act.MANAGE_TONE})
    async def set_tone_rule(
        self, db: Db, actor: CurrentActor, name: str, data: ToneRuleUpdate
    ) -> dict[str, Any]:
        row = await tone_rules.set_tone_rule(db, actor=actor, name=name, data=data)
        return {"name": row.name, "enabled": row.enabled, "blocking": row.blocking}

    @get("/comms-policy")
    async def get_policy(self, db: Db, actor: CurrentActor) -> PolicyRead:
        p = await policy_store.load_policy(db)
        return PolicyRead(
            require_approval=p.require_approval,
            author_may_approve_major=p.author_may_approve_major,
            require_customer_language=p.require_customer_language,
        )

    @patch("/comms-policy", opt={"act": Act.MANAGE_POLICY})
    async def set_policy(self, db: Db, actor: CurrentActor, data: PolicyUpdate) -> PolicyRead:
        p = await policy_store.set_policy(
            db,
            actor=actor,
            require_approval=data.require_approval,
            author_may_approve_major=data.author_may_approve_major,
            require_customer_language=data.require_customer_language,
        )
        return PolicyRead(
            require_approval=p.require_approval,
            author_may_approve_major=p.author_may_approve_major,
            require_customer_language=p.require_customer_language,
        )
