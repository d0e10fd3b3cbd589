"""The comms desk's rules: templates, examples, tone settings, drafts and their review."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts.actor import Actor
from app.accounts.models import Role
from app.audit.service import record
from app.comms import policy as rules
from app.comms import tone
from app.comms.models import (
    CommsPolicy,
    DraftReview,
    Example,
    MessageTemplate,
    Pause,
    ToneRule,
)
from app.comms.sandbox import render_text
from app.comms.schemas import DraftCreate, TemplateCreate, TemplateUpdate, ToneRuleUpdate
from app.customers.models import Customer
from app.customers.service import components_by_customer, get_customer
from app.customers.service import page_url as customer_page_url
from app.incidents.models import Incident, Update
from app.incidents.schemas import UpdateCreate
from app.incidents.service import (
    default_next_update_at,
    get_incident,
    get_update,
    list_incidents,
    post_update,
    publish_update,
)
from app.incidents.status import (
    IncidentKind,
    IncidentStatus,
    MaintenanceStatus,
    UpdateState,
    is_open,
)
from app.lib.clock import as_utc, utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.lib.text import markdown_to_safe_html

AUDIENCES = ("public", "customer")
ALL_STATUSES = [s.value for s in IncidentStatus] + [s.value for s in MaintenanceStatus]


@dataclass(frozen=True)
class Site:
    """What rendering needs to know about the deployment (services never see Settings)."""

    base_url: str
    page_name: str
    zone: ZoneInfo


# ---------------------------------------------------------------- template context


def status_words(status: str) -> str:
    return status.replace("_", " ").capitalize()


def _phrase(names: list[str]) -> str:
    if not names:
        return "our service"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _in_words(delta: timedelta) -> str:
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes < 90:
        return f"{minutes} minutes"
    hours = minutes / 60
    return f"{hours:g} hours" if hours == int(hours) else f"{round(hours, 1)} hours"


def template_context(
    site: Site,
    incident: Incident,
    *,
    status: str,
    customer: Customer | None,
    next_update_at: datetime | None,
    now: datetime | None = None,
) -> dict[str, object]:
    """The documented variables (`sandbox.VARIABLES`) as plain strings and lists only."""
    now = now or utcnow()
    fmt = "%H:%M %Z"
    names = [link.component.name for link in incident.components]
    url = (
        customer_page_url(site.base_url, customer) + f"incidents/{incident.id}"
        if customer is not None
        else f"{site.base_url}/incidents/{incident.id}"
    )
    return {
        "title": incident.title,
        "status": status_words(status),
        "impact": incident.impact,
        "components": names,
        "components_text": _phrase(names),
        "customer_name": customer.name if customer is not None else "",
        "started_at": as_utc(incident.started_at).astimezone(site.zone).strftime(fmt),
        "next_update_at": (
            as_utc(next_update_at).astimezone(site.zone).strftime(fmt) if next_update_at else ""
        ),
        "next_update_in": _in_words(next_update_at - now) if next_update_at else "",
        "page_url": url,
        "window_start": _when(site, incident.scheduled_for),
        "window_end": _when(site, incident.scheduled_until),
    }


def _when(site: Site, value: datetime | None) -> str:
    return as_utc(value).astimezone(site.zone).strftime("%b %d, %H:%M %Z") if value else ""


def _promise(incident: Incident, status: str, now: datetime) -> datetime | None:
    if not is_open(status):
        return None
    probe = Incident(status=status, impact=incident.impact)
    return default_next_update_at(probe, now)


# ---------------------------------------------------------------- templates


async def list_templates(session: AsyncSession) -> list[MessageTemplate]:
    query = select(MessageTemplate).order_by(MessageTemplate.status, MessageTemplate.name)
    return list((await session.scalars(query)).all())


async def get_template(session: AsyncSession, template_id: str) -> MessageTemplate:
    template = await session.get(MessageTemplate, template_id)
    if template is None:
        raise NotFound(f"no template with id {template_id!r}")
    return template


_SAMPLE = {
    "title": "Elevated error rates",
    "status": "Investigating",
    "impact": "major",
    "components": ["API", "Search"],
    "components_text": "API and Search",
    "customer_name": "Example Customer",
    "started_at": "14:03 UTC",
    "next_update_at": "14:33 UTC",
    "next_update_in": "30 minutes",
    "page_url": "https://status.example.com/incidents/abc",
    "window_start": "Dec 02, 02:00 UTC",
    "window_end": "Dec 02, 04:00 UTC",
}


def _check_template(name: str, status: str, impact: str | None, aud: str | None) -> None:
    if not name.strip():
        raise InvalidInput("name must not be blank", field="name")
    if status not in ALL_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(ALL_STATUSES)}", field="status")
    if impact is not None and impact not in ("none", "minor", "major", "critical"):
        raise InvalidInput("impact must be none, minor, major or critical", field="impact")
    if aud is not None and aud not in AUDIENCES:
        raise InvalidInput("audience must be public or customer", field="audience")


def _try_render(subject: str, body: str) -> None:
    # Saved templates must render against the documented variables: a typo fails now, with
    # its line, not in the middle of an incident.
    render_text(subject, _SAMPLE, field="subject")
    render_text(body, _SAMPLE, field="body")


async def _unique_name(session: AsyncSession, name: str, exclude: str | None = None) -> None:
    query = select(MessageTemplate.id).where(MessageTemplate.name == name)
    if exclude:
        query = query.where(MessageTemplate.id != exclude)
    if await session.scalar(query):
        raise Conflict(f"a template named {name!r} already exists", field="name")


async def create_template(
    session: AsyncSession, *, actor: Actor, data: TemplateCreate
) -> MessageTemplate:
    name = data.name.strip()
    _check_template(name, data.status, data.impact, data.audience)
    _try_render(data.subject, data.body)
    await _unique_name(session, name)
    template = MessageTemplate(
        name=name,
        status=data.status,
        impact=data.impact,
        audience=data.audience,
        subject=data.subject,
        body=data.body,
        notes=data.notes,
        updated_by=actor.name,
    )
    session.add(template)
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="template.create",
        subject_type="template",
        subject_id=template.id,
        detail={"name": name},
    )
    return template


async def update_template(
    session: AsyncSession, *, actor: Actor, template_id: str, data: TemplateUpdate
) -> MessageTemplate:
    template = await get_template(session, template_id)
    name = data.name.strip() if data.name is not None else template.name
    status = data.status if data.status is not None else template.status
    impact = data.impact if data.impact is not None else template.impact
    aud = data.audience if data.audience is not None else template.audience
    subject = data.subject if data.subject is not None else template.subject
    body = data.body if data.body is not None else template.body
    _check_template(name, status, impact or None, aud or None)
    _try_render(subject, body)
    await _unique_name(session, name, exclude=template.id)
    template.name, template.status, template.subject, template.body = name, status, subject, body
    template.impact, template.audience = impact or None, aud or None
    if data.notes is not None:
        template.notes = data.notes
    template.updated_by = actor.name
    template.updated_at = utcnow()
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="template.edit",
        subject_type="template",
        subject_id=template.id,
        detail={"name": name},
    )
    return template


async def delete_template(session: AsyncSession, *, actor: Actor, template_id: str) -> None:
    template = await get_template(session, template_id)
    await session.delete(template)
    await record(
        session,
        actor=actor.name,
        action="template.delete",
        subject_type="template",
        subject_id=template_id,
        detail={"name": template.name},
    )
    await session.flush()


@dataclass
class Rendered:
    subject: str
    body: str
    html: str
    next_update_at: datetime | None


async def render_template(
    session: AsyncSession,
    site: Site,
    *,
    subject: str,
    body: str,
    incident_id: str,
    status: str | None = None,
    customer_id: str | None = None,
) -> Rendered:
    """Render template text for an incident (and a customer) without saving anything."""
    incident = await get_incident(session, incident_id)
    customer = await get_customer(session, customer_id) if customer_id else None
    status = status or incident.status
    now = utcnow()
    promise = _promise(incident, status, now)
    context = template_context(
        site, incident, status=status, customer=customer, next_update_at=promise, now=now
    )
    text = render_text(body, context, field="body")
    return Rendered(
        subject=render_text(subject, context, field="subject"),
        body=text,
        html=markdown_to_safe_html(text),
        next_update_at=promise,
    )


# ---------------------------------------------------------------- tone rules and policy


async def tone_settings(session: AsyncSession) -> dict[str, tone.RuleSetting]:
    rows = (await session.scalars(select(ToneRule))).all()
    return {
        row.name: tone.RuleSetting(
            enabled=row.enabled,
            blocking=row.blocking,
            words=tuple(row.words) if row.words else None,
            limit=row.limit,
        )
        for row in rows
    }


async def set_tone_rule(
    session: AsyncSession, *, actor: Actor, name: str, data: ToneRuleUpdate
) -> ToneRule:
    if not actor.may_publish:
        raise PermissionDenied("changing tone rules needs the comms_lead role")
    if name not in tone.RULES:
        raise NotFound(f"no tone rule {name!r}; rules are {', '.join(tone.RULES)}")
    if data.limit is not None and data.limit < 50:
        raise InvalidInput("limit must be at least 50 characters", field="limit")
    row = await session.get(ToneRule, name) or ToneRule(name=name)
    session.add(row)
    if data.enabled is not None:
        row.enabled = data.enabled
    if data.blocking is not None:
        row.blocking = data.blocking
    if data.words is not None:
        row.words = [w.strip() for w in data.words if w.strip()]
    if data.limit is not None:
        row.limit = data.limit
    row.updated_by = actor.name
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="tone_rule.edit",
        subject_type="tone_rule",
        subject_id=name,
        detail={"enabled": row.enabled, "blocking": row.blocking},
    )
    return row


async def load_policy(session: AsyncSession) -> rules.Policy:
    row = await session.get(CommsPolicy, 1)
    if row is None:
        return rules.Policy()
    return rules.Policy(
        require_approval=row.require_approval, author_may_approve_major=row.author_may_approve_major
    )


async def set_policy(
    session: AsyncSession,
    *,
    actor: Actor,
    require_approval: bool | None = None,
    author_may_approve_major: bool | None = None,
) -> rules.Policy:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("changing the approval policy needs the admin role")
    row = await session.get(CommsPolicy, 1) or CommsPolicy(id=1)
    session.add(row)
    if require_approval is not None:
        row.require_approval = require_approval
    if author_may_approve_major is not None:
        row.author_may_approve_major = author_may_approve_major
    row.updated_by = actor.name
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="policy.edit",
        subject_type="policy",
        subject_id="1",
        detail={
            "require_approval": row.require_approval,
            "author_may_approve_major": row.author_may_approve_major,
        },
    )
    return await load_policy(session)


def _subject(incident: Incident, status: str) -> tone.Subject:
    return tone.Subject(
        status=status,
        impact=incident.impact,
        components=tuple(link.component.name for link in incident.components),
    )


async def check_tone(
    session: AsyncSession, *, incident: Incident, status: str, body: str
) -> list[tone.Finding]:
    return tone.check(body, _subject(incident, status), await tone_settings(session))


# ---------------------------------------------------------------- examples


async def mark_example(
    session: AsyncSession, *, actor: Actor, update_id: str, tags: list[str]
) -> Example:
    found = await get_update(session, update_id)
    if found.state != UpdateState.PUBLISHED:
        raise Conflict("only a published update can be an example", field="update_id")
    incident = await get_incident(session, found.incident_id)
    clean = sorted({t.strip().lower() for t in tags if t.strip()})
    example = await session.get(Example, update_id)
    if example is None:
        example = Example(
            update_id=found.id,
            incident_id=incident.id,
            title=incident.title,
            body=found.body,
            status=found.status,
            impact=incident.impact,
            component_ids=incident.component_ids,
            marked_by=actor.name,
        )
        session.add(example)
    example.tags = clean
    example.updated_at = utcnow()
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="example.mark",
        subject_type="update",
        subject_id=found.id,
        incident_id=incident.id,
        detail={"tags": clean},
    )
    return example


async def unmark_example(session: AsyncSession, *, actor: Actor, update_id: str) -> None:
    example = await session.get(Example, update_id)
    if example is None:
        raise NotFound(f"update {update_id!r} is not an example")
    await session.delete(example)
    await record(
        session,
        actor=actor.name,
        action="example.unmark",
        subject_type="update",
        subject_id=update_id,
        incident_id=example.incident_id,
    )
    await session.flush()


async def search_examples(
    session: AsyncSession, *, text: str = "", limit: int = 50
) -> list[Example]:
    query = select(Example).order_by(Example.created_at.desc()).limit(limit)
    for word in text.split()[:8]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                Example.body.ilike(pattern),
                Example.title.ilike(pattern),
                cast(Example.tags, String).ilike(pattern),
            )
        )
    return list((await session.scalars(query)).all())


_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2}


def similarity(
    example: Example, *, status: str, impact: str, components: set[str], text: str
) -> float:
    """Same components, impact and status first; then how many words the texts share."""
    score = 0.0
    if components and components.intersection(example.component_ids):
        score += 4
    if example.impact == impact:
        score += 2
    if example.status == status:
        score += 1
    mine, theirs = _words(text), _words(example.title + " " + example.body)
    if mine and theirs:
        score += len(mine & theirs) / len(mine | theirs)
    return score


async def similar_examples(
    session: AsyncSession, *, incident: Incident, status: str, text: str = "", limit: int = 3
) -> list[Example]:
    examples = (await session.scalars(select(Example).limit(2000))).all()
    components = set(incident.component_ids)
    ranked = sorted(
        (e for e in examples if e.incident_id != incident.id),
        key=lambda e: (
            -similarity(
                e,
                status=status,
                impact=incident.impact,
                components=components,
                text=incident.title + " " + text,
            )
        ),
    )
    return ranked[:limit]


# ---------------------------------------------------------------- drafts and review


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


async def submit_draft(session: AsyncSession, *, actor: Actor, update_id: str) -> Update:
    """Put a draft in the approval queue (or publish it, when policy waives review)."""
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
    if decision.allowed:
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


def email_subject(site: Site, incident: Incident, status: str) -> str:
    return f"[{site.page_name}] {incident.title}: {status_words(status)}"


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
    subject = email_subject(site, incident, draft.status)
    previews = []
    for name, customer in readers:
        url = (
            customer_page_url(site.base_url, customer) + f"incidents/{incident.id}"
            if customer
            else f"{site.base_url}/incidents/{incident.id}"
        )
        previews.append(
            AudiencePreview(
                label=name,
                page_url=url,
                html=html,
                email_subject=subject,
                email_body=f"{draft.body}\n\nFollow this incident: {url}",
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


# ---------------------------------------------------------------- promises and pauses


async def pause_incident(
    session: AsyncSession, *, actor: Actor, incident_id: str, reason: str, resume_at: datetime
) -> Pause:
    incident = await get_incident(session, incident_id)
    if not reason.strip():
        raise InvalidInput("say why updates pause", field="reason")
    if resume_at.tzinfo is None:
        raise InvalidInput("resume_at must carry a time zone", field="resume_at")
    if resume_at <= utcnow():
        raise InvalidInput("resume_at must be in the future", field="resume_at")
    pause = await session.get(Pause, incident.id) or Pause(incident_id=incident.id)
    session.add(pause)
    pause.reason, pause.resume_at = reason.strip(), as_utc(resume_at)
    pause.paused_by, pause.paused_at = actor.name, utcnow()
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="incident.pause",
        subject_type="incident",
        subject_id=incident.id,
        incident_id=incident.id,
        detail={"reason": pause.reason, "resume_at": pause.resume_at.isoformat()},
    )
    return pause


async def resume_incident(session: AsyncSession, *, actor: Actor, incident_id: str) -> None:
    pause = await session.get(Pause, incident_id)
    if pause is None:
        raise NotFound("this incident is not paused")
    await session.delete(pause)
    await record(
        session,
        actor=actor.name,
        action="incident.resume",
        subject_type="incident",
        subject_id=incident_id,
        incident_id=incident_id,
    )
    await session.flush()


@dataclass
class DeskRow:
    incident: Incident
    overdue: bool
    pause: Pause | None
    drafts: int


async def desk(session: AsyncSession, *, now: datetime | None = None) -> list[DeskRow]:
    """Open incidents, those whose promised update is overdue first, then paused ones."""
    now = now or utcnow()
    incidents = await list_incidents(session, open_only=True, limit=200)
    incidents += await list_incidents(
        session, kind=IncidentKind.MAINTENANCE, open_only=True, limit=200
    )
    seen = {i.id: i for i in incidents}
    pauses = {
        p.incident_id: p
        for p in (await session.scalars(select(Pause).where(Pause.incident_id.in_(seen)))).all()
    }
    rows = []
    for incident in seen.values():
        pause = pauses.get(incident.id)
        if pause is not None and as_utc(pause.resume_at) <= now:
            pause = None  # the pause ran out: the promise counts again
        overdue = (
            pause is None
            and incident.next_update_at is not None
            and as_utc(incident.next_update_at) < now
        )
        drafts = sum(1 for u in incident.updates if u.state == UpdateState.SUBMITTED)
        rows.append(DeskRow(incident, overdue, pause, drafts))
    rows.sort(key=lambda r: (not r.overdue, r.pause is None, -r.incident.started_at.timestamp()))
    return rows
