"""Tone of voice: templates and their rendering, the tone rules' settings, the approval policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.audit.service import record
from app.comms import policy as rules
from app.comms import tone
from app.comms.models import CommsPolicy, MessageTemplate, ToneRule
from app.comms.render_pool import render
from app.comms.schemas import TemplateCreate, TemplateUpdate, ToneRuleUpdate
from app.customers.models import Customer
from app.customers.service import get_customer
from app.customers.service import page_url as customer_page_url
from app.incidents.models import Incident, Update
from app.incidents.service import default_next_update_at, get_incident
from app.incidents.status import IncidentStatus, MaintenanceStatus, is_open
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
    # Renders an update's email (subject, text body) exactly as the delivery worker would
    # for a reader (None: the public); absent where no renderer is at hand.
    email: Callable[[Incident, Update, Customer | None], tuple[str, str]] | None = None


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
    # In page order, so the words list components as the status page does.
    links = sorted(incident.components, key=lambda c: (c.component.position, c.component.name))
    names = [link.component.name for link in links]
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


async def template_for(
    session: AsyncSession, *, status: str, impact: str, audience: str | None
) -> MessageTemplate | None:
    """The template written for this status that fits best: one for this impact and
    audience over a general one (a template with no impact or audience fits any)."""
    candidates = (
        await session.scalars(select(MessageTemplate).where(MessageTemplate.status == status))
    ).all()
    fitting = [
        t for t in candidates if t.impact in (None, impact) and t.audience in (None, audience)
    ]

    def specificity(t: MessageTemplate) -> tuple[int, int, str]:
        return (t.impact is not None, t.audience is not None, t.name)

    return max(fitting, key=specificity, default=None)


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


async def _try_render(subject: str, body: str) -> None:
    # Saved templates must render against the documented variables: a typo fails now, with
    # its line, not in the middle of an incident.
    await render(subject, _SAMPLE, field="subject")
    await render(body, _SAMPLE, field="body")


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
    await _try_render(data.subject, data.body)
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
    await _try_render(subject, body)
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
    text = await render(body, context, field="body")
    return Rendered(
        subject=await render(subject, context, field="subject"),
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


def email_subject(site: Site, incident: Incident, status: str) -> str:
    return f"[{site.page_name}] {incident.title}: {status_words(status)}"
