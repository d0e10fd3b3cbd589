"""Drafts and their review: write, submit, approve (publishing once) or reject; the queue."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts.actor import Actor
from app.audit.service import record
from app.comms import policy as rules
from app.comms import tone
from app.comms.models import DraftReview
from app.comms.schemas import DraftCreate
from app.comms.wording import (
    Site,
    check_tone,
    email_subject,
    get_template,
    load_policy,
    render_template,
)
from app.customers.models import Customer
from app.customers.service import components_by_customer, get_customer
from app.customers.service import page_url as customer_page_url
from app.incidents.models import Incident, Update
from app.incidents.schemas import UpdateCreate
from app.incidents.service import get_incident, get_update, post_update, publish_update
from app.incidents.status import UpdateState
from app.lib.clock import as_utc, utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.lib.text import markdown_to_safe_html


async def get_review(session: AsyncSession, update_id: str) -> DraftReview | None:
    return await session.get(DraftReview, update_id, populate_existing=True)


async def _review_for(session: AsyncSession, draft: Update) -> DraftReview:
    review = await get_review(session, draft.id)
    if review is None:
        review = DraftReview(update_id=draft.id, incident_id=draft.incident_id, findings=[])
        session.add(review)
    return review


async def create_draft(
    session: AsyncSession, site: Site, *, actor: Actor, incident_id: str, data: DraftCreate
) -> Update:
    """A draft from a template (pre-filled) or from free text; nobody outside sees it."""
    incident = await get_incident(session, incident_id)
    _check_audience(incident, data.audience, data.customer)
    status = data.status or incident.status
    template_text = None
    next_update_at = data.next_update_at
    if data.template_id:
        template = await get_template(session, data.template_id)
        rendered = await render_template(
            session,
            site,
            subject=template.subject,
            body=template.body,
            incident_id=incident.id,
            status=status,
            customer_id=data.customer,
        )
        template_text = rendered.body
        next_update_at = next_update_at or rendered.next_update_at
    body = data.body if data.body and data.body.strip() else template_text
    if not body:
        raise InvalidInput("give a body or a template_id", field="body")
    draft = await post_update(
        session,
        actor=actor,
        incident_id=incident.id,
        data=UpdateCreate(
            status=status,
            body=body,
            customer=data.customer,
            next_update_at=next_update_at,
            publish=False,
        ),
    )
    review = DraftReview(
        update_id=draft.id,
        incident_id=incident.id,
        template_id=data.template_id,
        template_text=template_text,
        findings=[
            f.as_dict()
            for f in await check_tone(session, incident=incident, status=status, body=body)
        ],
    )
    session.add(review)
    await session.flush()
    return draft


def _check_audience(incident: Incident, wanted: str | None, customer_id: str | None) -> None:
    """The audience a writer asked for must be the one the incident's visibility gives.

    Words without a customer reach whoever may see the incident (audience rule): everyone
    for a public incident, the affected customers for a customers-only one.
    """
    if wanted is None:
        return
    if wanted == "customer":
        if not customer_id:
            raise InvalidInput("name the customer for a customer's own wording", field="customer")
        return
    if customer_id:
        raise InvalidInput(f"a {wanted} draft names no customer", field="customer")
    given = {"public": "public", "customers": "affected"}.get(incident.visibility)
    if wanted not in ("public", "affected"):
        raise InvalidInput("audience must be public, affected or customer", field="audience")
    if wanted != given:
        reach = {"public": "everyone", "affected": "its affected customers"}.get(
            given or "", "nobody outside the team"
        )
        raise InvalidInput(
            f"this incident is visible to {incident.visibility}, so its updates reach {reach}; "
            "change the incident's visibility or write one customer's wording",
            field="audience",
        )


def _may_touch(actor: Actor, draft: Update) -> None:
    if draft.author != actor.name and not actor.may_publish:
        raise PermissionDenied("only its author or a comms lead may change this draft")


async def edit_draft(session: AsyncSession, *, actor: Actor, update_id: str, body: str) -> Update:
    draft = await get_update(session, update_id)
    _may_touch(actor, draft)
    if draft.state not in (UpdateState.DRAFT, UpdateState.REJECTED):
        raise Conflict(f"a {draft.state} update cannot be edited; only drafts can", field="state")
    if not body.strip():
        raise InvalidInput("body must not be blank", field="body")
    incident = await get_incident(session, draft.incident_id)
    draft.body = body.strip()
    draft.state = UpdateState.DRAFT.value
    draft.updated_at = utcnow()
    review = await _review_for(session, draft)
    review.findings = [
        f.as_dict()
        for f in await check_tone(session, incident=incident, status=draft.status, body=draft.body)
    ]
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="draft.edit",
        subject_type="update",
        subject_id=draft.id,
        incident_id=draft.incident_id,
    )
    return draft


def _refuse_blocking(findings: list[tone.Finding]) -> None:
    stop = tone.blocking(findings)
    if stop:
        raise InvalidInput(
            "tone rules that block: " + "; ".join(f"{f.rule}: {f.message}" for f in stop),
            field="body",
        )


async def submit_draft(
    session: AsyncSession, *, actor: Actor, update_id: str, waivable: bool = True
) -> Update:
    """Put a draft in the approval queue (or publish it, when policy waives review).

    `waivable=False` keeps it in the queue whatever the policy says: words that an alert
    started always wait for a person.
    """
    draft = await get_update(session, update_id)
    _may_touch(actor, draft)
    if draft.state not in (UpdateState.DRAFT, UpdateState.REJECTED):
        raise Conflict(f"this update is already {draft.state}", field="state")
    incident = await get_incident(session, draft.incident_id)
    findings = await check_tone(session, incident=incident, status=draft.status, body=draft.body)
    _refuse_blocking(findings)
    now = utcnow()
    review = await _review_for(session, draft)
    review.findings = [f.as_dict() for f in findings]
    review.submitted_at, review.submitted_by = now, actor.name
    review.reviewed_at = review.reviewed_by = review.rejection_reason = None
    draft.state = UpdateState.SUBMITTED.value
    draft.updated_at = now
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="draft.submit",
        subject_type="update",
        subject_id=draft.id,
        incident_id=draft.incident_id,
        detail={"findings": [f.rule for f in findings]},
    )
    decision = rules.publishes_on_submit(await load_policy(session))
    if waivable and decision.allowed:
        review.reviewed_at, review.reviewed_by = now, actor.name
        await publish_update(session, actor=actor, update=draft, waiver=decision.waiver)
    return draft


async def _claim(session: AsyncSession, update_id: str) -> Update:
    """Take the draft for review, or say why not.

    The conditional UPDATE is the first write of the transaction: on PostgreSQL a second
    reviewer's UPDATE waits for the first to commit and then matches nothing; on SQLite the
    database write lock serializes them the same way. So a draft is published once.
    """
    claimed = await session.execute(
        update(Update)
        .where(Update.id == update_id, Update.state == UpdateState.SUBMITTED.value)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    draft = await session.get(Update, update_id, populate_existing=True)
    if draft is None:
        raise NotFound(f"no update with id {update_id!r}")
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        if draft.state == UpdateState.PUBLISHED:
            raise Conflict(
                f"already approved and published by {draft.published_by} "
                f"at {draft.published_at:%H:%M:%S} UTC; nothing was published again"
            )
        raise Conflict(f"this update is {draft.state}, not waiting for review", field="state")
    return draft


async def approve_draft(
    session: AsyncSession, *, actor: Actor, update_id: str, body: str | None = None
) -> Update:
    """Approve (optionally with the reviewer's edits) and publish in the same transaction."""
    if not actor.may_publish:
        raise PermissionDenied(f"approving needs the comms_lead role; you have {actor.role.value}")
    draft = await _claim(session, update_id)
    incident = await get_incident(session, draft.incident_id)
    decision = rules.may_approve(
        await load_policy(session),
        actor=actor,
        author=draft.author,
        visibility=incident.visibility,
        impact=incident.impact,
    )
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    review = await _review_for(session, draft)
    edited = body is not None and body.strip() != "" and body.strip() != draft.body
    if edited:
        assert body is not None
        before = draft.body
        draft.body = body.strip()
        await record(
            session,
            actor=actor.name,
            action="draft.edit",
            subject_type="update",
            subject_id=draft.id,
            incident_id=incident.id,
            detail={"on_approval": True, "before": before},
        )
    findings = await check_tone(session, incident=incident, status=draft.status, body=draft.body)
    _refuse_blocking(findings)
    now = utcnow()
    if draft.next_update_at is not None and as_utc(draft.next_update_at) <= now:
        # The draft waited past the time it promised: promise afresh from now (the queue
        # warned the reviewer to fix the time in the words).
        draft.next_update_at = None
    review.findings = [f.as_dict() for f in findings]
    review.reviewed_at, review.reviewed_by = now, actor.name
    review.edited_on_approval = edited
    await record(
        session,
        actor=actor.name,
        action="draft.approve",
        subject_type="update",
        subject_id=draft.id,
        incident_id=incident.id,
        detail={"body": draft.body, "edited": edited, "author": draft.author},
    )
    if decision.waiver:
        await record(
            session,
            actor=actor.name,
            action="policy.waiver",
            subject_type="update",
            subject_id=draft.id,
            incident_id=incident.id,
            detail={"waiver": decision.waiver},
        )
    return await publish_update(session, actor=actor, update=draft, waiver=decision.waiver)


async def reject_draft(
    session: AsyncSession, *, actor: Actor, update_id: str, reason: str
) -> Update:
    """Send a draft back to its author with a reason they will see."""
    if not actor.may_publish:
        raise PermissionDenied(f"rejecting needs the comms_lead role; you have {actor.role.value}")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why, so the author can fix it", field="reason")
    draft = await _claim(session, update_id)
    review = await _review_for(session, draft)
    now = utcnow()
    draft.state = UpdateState.REJECTED.value
    review.reviewed_at, review.reviewed_by, review.rejection_reason = now, actor.name, reason
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="draft.reject",
        subject_type="update",
        subject_id=draft.id,
        incident_id=draft.incident_id,
        detail={"reason": reason, "author": draft.author},
    )
    return draft


async def list_drafts(
    session: AsyncSession, *, incident_id: str | None = None, author: str | None = None
) -> list[Update]:
    query = select(Update).where(Update.state != UpdateState.PUBLISHED.value)
    if incident_id:
        query = query.where(Update.incident_id == incident_id)
    if author:
        query = query.where(Update.author == author)
    return list((await session.scalars(query.order_by(Update.created_at.desc()))).all())


async def queue(session: AsyncSession) -> list[tuple[Update, DraftReview]]:
    """Submitted drafts, oldest first."""
    rows = await session.execute(
        select(Update, DraftReview)
        .join(DraftReview, DraftReview.update_id == Update.id, isouter=True)
        .where(Update.state == UpdateState.SUBMITTED.value)
        .order_by(DraftReview.submitted_at.asc(), Update.created_at.asc())
    )
    result = []
    for draft, review in rows.all():
        if review is None:
            review = DraftReview(update_id=draft.id, incident_id=draft.incident_id, findings=[])
        result.append((draft, review))
    return result


HIDDEN_TOKEN = "<customer-token>"


@dataclass
class AudiencePreview:
    label: str
    page_url: str
    html: str
    email_subject: str
    email_body: str


@dataclass
class ReviewView:
    draft: Update
    review: DraftReview
    incident: Incident
    audience_label: str
    previews: list[AudiencePreview]
    findings: list[tone.Finding]
    diff: list[str] = field(default_factory=list)


async def review_view(
    session: AsyncSession, site: Site, draft: Update, review: DraftReview | None = None
) -> ReviewView:
    """A draft as each audience would see it, with its findings and changes since the template."""
    incident = await get_incident(session, draft.incident_id)
    review = review or await get_review(session, draft.id) or DraftReview(findings=[])
    affected = audience.affected_customer_ids(incident, await components_by_customer(session))
    readers: list[tuple[str, Customer | None]] = []
    if draft.customer_id is not None:
        customer = await get_customer(session, draft.customer_id)
        if audience.may_see_incident(
            audience.for_customer(customer.id), visibility=incident.visibility, affected=affected
        ):
            readers.append((customer.name, customer))
        label = f"only {customer.name}"
    else:
        if audience.may_see_incident(
            audience.PUBLIC, visibility=incident.visibility, affected=affected
        ):
            readers.append(("Public", None))
        for customer_id in sorted(affected):
            reader = audience.for_customer(customer_id)
            if audience.may_see_incident(reader, visibility=incident.visibility, affected=affected):
                customer = await get_customer(session, customer_id)
                readers.append((customer.name, customer))
        label = {
            "public": "public (and every affected customer's page)",
            "customers": "all affected customers",
        }.get(incident.visibility, "nobody outside the team (internal incident)")
    html = markdown_to_safe_html(draft.body)
    previews = []
    for name, customer in readers:
        url = (
            customer_page_url(site.base_url, customer) + f"incidents/{incident.id}"
            if customer
            else f"{site.base_url}/incidents/{incident.id}"
        )
        if site.email is not None:
            subject, body = site.email(incident, draft, customer)
        else:
            subject = email_subject(site, incident, draft.status)
            body = f"{draft.body}\n\nFollow this incident: {url}"
        if customer is not None:
            # Reviewers (responders too) read previews; the page token is the customer's
            # key to its private page, so it is shown as a placeholder, never in full.
            url, body = (
                url.replace(customer.token, HIDDEN_TOKEN),
                body.replace(customer.token, HIDDEN_TOKEN),
            )
        previews.append(
            AudiencePreview(
                label=name, page_url=url, html=html, email_subject=subject, email_body=body
            )
        )
    findings = await check_tone(session, incident=incident, status=draft.status, body=draft.body)
    if (
        draft.state != UpdateState.PUBLISHED
        and draft.next_update_at is not None
        and as_utc(draft.next_update_at) <= utcnow()
    ):
        when = as_utc(draft.next_update_at).astimezone(site.zone).strftime("%H:%M %Z")
        findings.append(
            tone.Finding(
                "promise",
                f"this draft promised the next update by {when}, which has passed; correct "
                "the time in the words (publishing promises a new one from now)",
                (when,),
            )
        )
    diff = []
    if review.template_text is not None:
        diff = list(
            difflib.unified_diff(
                review.template_text.splitlines(),
                draft.body.splitlines(),
                "template",
                "draft",
                lineterm="",
            )
        )
    return ReviewView(draft, review, incident, label, previews, findings, diff)
