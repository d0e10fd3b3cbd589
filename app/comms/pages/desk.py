"""The comms lead's desk at /admin: dashboard, incidents and their draft form, components.

A draft's own page and the review queue are `app.comms.pages.drafts`; declaring an incident
is `app.comms.pages.declaring`. Templates, tone rules, the approval policy, examples and the
customer list are `app.comms.pages.templates`.

Handlers parse the form, call one service verb, and redirect back with a one-line notice or
error (a rule's refusal shows on the page it came from, not as an error page).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect
from sqlalchemy import select

from app.accounts.http.admin import admin_page, back
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.audit.service import list_events
from app.comms.models import DraftReview, Example, Pause
from app.comms.review import listing, publishing, service
from app.comms.review.reached import affected_customers
from app.comms.schemas import DraftCreate
from app.comms.wording import composing, examples, promises, unfinished
from app.comms.wording import templates as wording
from app.comms.wording.composing import Composing, compose, email_subject_preview
from app.comms.wording.promises import promise_pick
from app.comms.wording.site import site_for
from app.comms.wording.tone_rules import check_tone
from app.components.schemas import ComponentUpdate
from app.components.service import component_status, list_components
from app.components.status import ComponentStatus
from app.customers.service import list_customers
from app.delivery.queue import incident_delivery_counts
from app.incidents.schemas import AffectedComponent
from app.incidents.service import get_incident
from app.incidents.status import (
    POSTMORTEM,
    IncidentKind,
    IncidentStatus,
    update_statuses_for,
)
from app.incidents.timing import promises_updates
from app.lib.errors import DomainError, InvalidInput
from app.lib.moments import check_moment
from app.lib.text import markdown_to_safe_html
from app.public.current import component_picker, components_now
from app.settings import page_id_for
from app.web.deps import AppSettings, Db

# What waits for triage. Alert intake answers (create_app wires it), so the desk can show
# it without importing intake, which stands above comms: accepting an alert writes a draft.
TriageSize = NamedDependency[int]
WaitingTriage = NamedDependency[Any]  # the incident's alert thread, or None
# How to get the incident's insights figures (awaited, they give them or None): insights
# answer, as they read comms' tables.
IncidentFigures = NamedDependency[Any]


class LivePreview(msgspec.Struct, kw_only=True):
    body: Annotated[str, msgspec.Meta(max_length=20_000)] = ""
    status: str | None = None


def text(form: Any, name: str) -> str:
    """A form field, trimmed ("" when absent)."""
    return str(form.get(name) or "").strip()


COMPONENT_FIELD = "cs:"  # one select per component, "cs:<id>", empty for no change


def component_choices(form: Any) -> list[AffectedComponent] | None:
    """The component statuses chosen on a form ("cs:<id>" selects); None when the form has
    no such fields, [] when every one says "no change"."""
    keys = [k for k in form if str(k).startswith(COMPONENT_FIELD)]
    if not keys:
        return None
    chosen = []
    for key in keys:
        value = text(form, key)
        if value:
            chosen.append(
                AffectedComponent(
                    id=str(key)[len(COMPONENT_FIELD) :], status=component_status(value)
                )
            )
    return chosen


def status_choices() -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in ComponentStatus]


def proposed_statuses(incident: Any, status: str, state: Composing) -> dict[str, str]:
    """The component statuses the form shows chosen: the writer's, or, when the resolved
    template is applied and nothing is chosen yet, the incident's components back to
    operational (words saying it is over should not leave a component marked down)."""
    if state.components or not state.template_id or status != IncidentStatus.RESOLVED:
        return dict(state.components)
    return {cid: ComponentStatus.OPERATIONAL.value for cid in incident.component_ids}


async def act(db: Db, work: Any, done: str, where: str) -> Redirect:
    """Run one service verb; back to `where` with `done`, or with the rule's refusal."""
    try:
        await work()
    except DomainError as exc:
        await db.rollback()
        return back(where, error=exc.message)
    return back(where, notice=done)


async def incident_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    incident_id: str,
    triage: Any,
    state: Composing,
    figures: Any = None,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response[Any]:
    """An incident's desk page with the one draft form filled from `state`; `error` and
    `status_code` say why a save of that form was refused."""
    incident = await get_incident(db, incident_id)
    kind = IncidentKind(incident.kind)
    templates = [
        t for t in await wording.list_templates(db) if t.status in update_statuses_for(kind)
    ]
    site = site_for(settings, request.app.state.renderer)
    composed = await compose(db, site, incident, state)
    similar = await examples.similar_examples(
        db, incident=incident, status=composed.status, text=composed.body
    )
    marked = set(
        await db.scalars(select(Example.update_id).where(Example.incident_id == incident.id))
    )
    chosen = proposed_statuses(incident, composed.status, state)
    in_review = select(DraftReview).where(DraftReview.incident_id == incident.id)
    reviews = {r.update_id: r for r in await db.scalars(in_review)}
    context: dict[str, Any] = {"error": error} if error else {}
    return admin_page(
        request,
        "admin/incident.html",
        status_code=status_code,
        incident=incident,
        updates=list(incident.updates),
        reviews=reviews,
        templates=templates,
        chosen=state.template_id,
        status=composed.status,
        statuses=update_statuses_for(kind),
        customers=await list_customers(db),
        affected=(await affected_customers(db, [incident.id])).get(incident.id, []),
        customer_id=state.customer_id,
        body=composed.body,
        translations=composed.translations,
        language_notes=composed.language_notes,
        language_examples=await examples.examples_by_language(
            db, incident=incident, status=composed.status, site_language=settings.language
        ),
        preview=composed.preview,
        subject=await email_subject_preview(db, site, incident, composed, state.customer_id),
        kept_words=composed.kept_words,
        findings=composed.findings,
        problem=composed.problem,
        examples=similar,
        marked=marked,
        pause=await db.get(Pause, incident.id),
        audit=await list_events(db, incident_id=incident.id, limit=50),
        deliveries=await incident_delivery_counts(db, incident.id),
        triage=triage,
        figures=await figures() if figures is not None else None,
        public_url=f"{settings.base_url}/incidents/{incident.id}",
        picker=await component_picker(db, [*incident.component_ids, *chosen]),
        chosen_statuses=chosen,
        status_choices=status_choices(),
        pick=(
            promise_pick(incident, zone=settings.zone, selected=state.promise, at=state.promise_at)
            if promises_updates(incident.status)
            else None
        ),
        overdue_since=await promises.overdue(db, incident),
        postmortem_template=next((t for t in templates if t.status == POSTMORTEM), None),
        has_postmortem=any(
            u.status == POSTMORTEM and u.state == "published" for u in incident.updates
        ),
        **context,
    )


class DeskPages(Controller):
    path = "/admin"
    opt = {"act": Act.READ_DESK}
    include_in_schema = False

    @get("/")
    async def dashboard(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        triage_size: TriageSize,
    ) -> Response[Any]:
        mine = await listing.list_drafts(db, author_id=actor.id)
        published = await listing.published_for(db, author_id=actor.id)
        reviews = {d.id: await service.get_review(db, d.id) for d in [*mine, *published]}
        return admin_page(
            request,
            "admin/dashboard.html",
            published=published,
            all_components=await components_now(db, await list_components(db)),
            status_choices=status_choices(),
            rows=await promises.desk(db),
            queue_size=await listing.queue_size(db),
            triage_size=triage_size,
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
        triage: WaitingTriage,
        figures: IncidentFigures,
    ) -> Response[Any]:
        return await incident_page(
            request,
            db,
            settings,
            incident_id,
            triage,
            Composing.from_form(request.query_params),
            figures,
        )

    @post("/incidents/{incident_id:str}/compose", status_code=200, opt={"act": Act.DRAFT})
    async def compose(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        triage: WaitingTriage,
        figures: IncidentFigures,
    ) -> Response[Any]:
        """ "Use template" from the one draft form: the page again, with everything that was
        on the screen kept; typed words are replaced by the template only when asked."""
        form = await request.form()
        return await incident_page(
            request, db, settings, incident_id, triage, Composing.from_form(form), figures
        )

    @post("/incidents/{incident_id:str}/drafts", opt={"act": Act.DRAFT})
    async def create_draft(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        triage: WaitingTriage,
        figures: IncidentFigures,
    ) -> Response[Any]:
        form = await request.form()
        try:
            promise = promises.promise_from_form(form, zone=settings.zone)
            draft = await service.create_draft(
                db,
                site_for(settings),
                actor=actor,
                incident_id=incident_id,
                data=DraftCreate(
                    status=text(form, "status") or None,
                    template_id=text(form, "template_id") or None,
                    body=text(form, "body") or None,
                    customer=text(form, "customer") or None,
                    components=component_choices(form) or None,
                    next_update_at=promise.at if promise else None,
                    next_update_in_minutes=promise.minutes if promise else None,
                    # The switch is on the form only where it is a choice (a postmortem).
                    deliver_notifications=(
                        text(form, "notify") == "1" if text(form, "notify_shown") else True
                    ),
                    translations=composing.translations_from_form(form) or None,
                ),
            )
            if text(form, "then") == "submit":
                await service.submit_draft(
                    db,
                    actor=actor,
                    update_id=draft.id,
                    zone=settings.zone,
                    site_language=settings.language,
                )
        except DomainError as exc:
            # The page again with the form as it was sent: a refusal never loses the words.
            await db.rollback()
            return await incident_page(
                request,
                db,
                settings,
                incident_id,
                triage,
                Composing.from_form(form),
                figures,
                error=exc.message,
                status_code=exc.status_code,
            )
        done = "Submitted for approval." if text(form, "then") == "submit" else "Draft saved."
        return back(f"/admin/updates/{draft.id}", notice=done)

    @post("/incidents/{incident_id:str}/preview", status_code=200, opt={"act": Act.DRAFT})
    async def live_preview(
        self, db: Db, actor: CurrentActor, incident_id: str, data: LivePreview
    ) -> dict[str, Any]:
        incident = await get_incident(db, incident_id)
        status = data.status or incident.status
        findings = await check_tone(db, incident=incident, status=status, body=data.body)
        return {
            "html": markdown_to_safe_html(data.body),
            # What would refuse the words on submit, said while they are typed.
            "findings": [*unfinished.as_findings(data.body), *(f.as_dict() for f in findings)],
        }

    @post("/incidents/{incident_id:str}/pause", opt={"act": Act.PAUSE_PROMISES})
    async def pause(
        self, request: Request, db: Db, actor: CurrentActor, incident_id: str
    ) -> Redirect:
        form = await request.form()
        here = f"/admin/incidents/{incident_id}"
        try:
            raw = text(form, "resume_at")
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
                reason=text(form, "reason"),
                resume_at=resume_at,
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(here, notice="Updates paused.")

    @post("/incidents/{incident_id:str}/resume", opt={"act": Act.PAUSE_PROMISES})
    async def resume(self, db: Db, actor: CurrentActor, incident_id: str) -> Redirect:
        await promises.resume_incident(db, actor=actor, incident_id=incident_id)
        return back(f"/admin/incidents/{incident_id}", notice="Updates resumed.")

    # ------------------------------------------------------------ components

    @post("/components/status", opt={"act": Act.SET_COMPONENT_STATUS})
    async def set_component_status(self, request: Request, db: Db, actor: CurrentActor) -> Redirect:
        """A status change that needs no words (the component's own status, on every page)."""
        form = await request.form()

        async def work() -> None:
            component_id = text(form, "component")
            if not component_id:
                raise InvalidInput("choose a component", field="component")
            await publishing.update_component(
                db,
                actor=actor,
                component_id=component_id,
                data=ComponentUpdate(status=component_status(text(form, "status"))),
            )

        return await act(db, work, "Component status set.", "/admin")
