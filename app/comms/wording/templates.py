"""Tone-of-voice templates: keeping them, choosing one, and rendering one for an incident."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.models import MessageTemplate
from app.comms.schemas import TemplateCreate, TemplateUpdate
from app.comms.wording.promises import PROMISE_AT, PROMISE_IN
from app.comms.wording.render_pool import render
from app.comms.wording.sandbox import SAMPLE_VALUES
from app.comms.wording.template_languages import in_language, template_language
from app.customers.models import Customer
from app.customers.page_links import PAGE_LINK
from app.customers.page_links import page_url as customer_page_url
from app.customers.service import get_customer
from app.incidents.audit import audit
from app.incidents.models import Incident, Update
from app.incidents.service import get_incident
from app.incidents.status import (
    POSTMORTEM,
    IncidentStatus,
    MaintenanceStatus,
    is_open,
    status_label,
)
from app.incidents.timing import default_next_update_at
from app.lib.clock import as_utc, utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound
from app.lib.languages import DEFAULT_LANGUAGE
from app.lib.text import markdown_to_safe_html
from app.lib.times_in_words import say

ALL_STATUSES = (
    [s.value for s in IncidentStatus] + [POSTMORTEM] + [s.value for s in MaintenanceStatus]
)


@dataclass(frozen=True)
class Site:
    """What rendering needs to know about the deployment (services never see Settings)."""

    base_url: str
    page_name: str
    zone: ZoneInfo
    # Renders an update's email (subject, text body) exactly as the delivery worker would
    # for a reader (None: the public); absent where no renderer is at hand.
    email: Callable[[Incident, Update, Customer | None], tuple[str, str]] | None = None
    # Renders an update's SMS as the public's SMS subscribers would get it (None: as above).
    sms: Callable[[Incident, Update], str] | None = None
    # The language of an update's `body` (TIDINGS_LANGUAGE); other languages are translations.
    language: str = DEFAULT_LANGUAGE


# ---------------------------------------------------------------- template context


status_words = status_label  # the name the tone templates know it by


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
    reveal_links: bool = False,
) -> dict[str, object]:
    """The documented variables (`sandbox.VARIABLES`) as plain strings and lists only.

    A customer's `page_url` carries its private token: it is `page_links.PAGE_LINK` (each
    reader's own link is put in when a message is sent) unless `reveal_links`, for a comms
    lead's or an admin's preview that nothing keeps."""
    now = now or utcnow()
    # In page order, so the words list components as the status page does.
    links = sorted(incident.components, key=lambda c: (c.component.position, c.component.name))
    names = [link.component.name for link in links]
    if customer is None:
        url = f"{site.base_url}/incidents/{incident.id}"
    elif reveal_links:
        url = customer_page_url(site.base_url, customer) + f"incidents/{incident.id}"
    else:
        url = PAGE_LINK
    return {
        "title": incident.title,
        "status": status_words(status),
        "impact": incident.impact,
        "components": names,
        "components_text": _phrase(names),
        "customer_name": customer.name if customer is not None else "",
        # Times are written naming the zone (emails state it so); the pages find them again
        # and show each reader their own zone (`app.lib.times_in_words`).
        "started_at": say(incident.started_at, site.zone),
        "next_update_at": say(next_update_at, site.zone) if next_update_at else "",
        "next_update_in": _in_words(next_update_at - now) if next_update_at else "",
        "page_url": url,
        "window_start": _when(site, incident.scheduled_for),
        "window_end": _when(site, incident.scheduled_until),
        "started_on": _when(site, incident.started_at),
        "resolved_on": _when(site, incident.resolved_at),
        "lasted": (
            _in_words(as_utc(incident.resolved_at) - as_utc(incident.started_at))
            if incident.resolved_at
            else ""
        ),
    }


def _when(site: Site, value: datetime | None) -> str:
    return say(value, site.zone, with_day=True) if value else ""


def _promise(incident: Incident, status: str, now: datetime) -> datetime | None:
    if not is_open(status):
        return None
    probe = Incident(status=status, impact=incident.impact)
    return default_next_update_at(probe, now)


# ---------------------------------------------------------------- templates


async def list_templates(session: AsyncSession) -> list[MessageTemplate]:
    query = select(MessageTemplate).order_by(MessageTemplate.status, MessageTemplate.name)
    return list((await session.scalars(query)).all())


# A template is written for the public or for customers (affected ones, or one of them);
# one with no audience fits any words. Who the words reach is the audience rule's `Reach`.
TEMPLATE_REACHES = (audience.Reach.EVERYONE.value, audience.Reach.CUSTOMER.value)


def template_reach(value: str | None) -> str | None:
    """A template's audience as stored: None (any), public or customer; a 422 otherwise."""
    if not value:
        return None
    if value not in TEMPLATE_REACHES:
        raise InvalidInput("audience must be public or customer", field="audience")
    return value


def template_fits(template_audience: str | None, reach: audience.Reach | None) -> bool:
    """May a template written for `template_audience` start words that reach `reach`?"""
    if template_audience is None:
        return True
    if template_audience == audience.Reach.EVERYONE:
        return reach is audience.Reach.EVERYONE
    if template_audience == audience.Reach.CUSTOMER:
        return reach in (audience.Reach.AFFECTED, audience.Reach.CUSTOMER)
    return False


async def template_for(
    session: AsyncSession,
    *,
    status: str,
    impact: str,
    reach: audience.Reach | None,
    language: str | None = None,
) -> MessageTemplate | None:
    """The template written for this status that fits best: one for this impact and
    audience over a general one (a template with no impact or audience fits any). Only
    templates in `language` are candidates (None: the site's language)."""
    candidates = (
        await session.scalars(
            select(MessageTemplate).where(MessageTemplate.status == status, in_language(language))
        )
    ).all()
    fitting = [
        t for t in candidates if t.impact in (None, impact) and template_fits(t.audience, reach)
    ]

    def specificity(t: MessageTemplate) -> tuple[int, int, str]:
        return (t.impact is not None, t.audience is not None, t.name)

    return max(fitting, key=specificity, default=None)


async def get_template(session: AsyncSession, template_id: str) -> MessageTemplate:
    template = await session.get(MessageTemplate, template_id)
    if template is None:
        raise NotFound(f"no template with id {template_id!r}")
    return template


def _check_template(name: str, status: str, impact: str | None, aud: str | None) -> None:
    if not name.strip():
        raise InvalidInput("name must not be blank", field="name")
    if status not in ALL_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(ALL_STATUSES)}", field="status")
    if impact is not None and impact not in ("none", "minor", "major", "critical"):
        raise InvalidInput("impact must be none, minor, major or critical", field="impact")
    template_reach(aud)


async def _try_render(subject: str, body: str) -> None:
    # Saved templates must render against the documented variables: a typo fails now, with
    # its line, not in the middle of an incident.
    await render(subject, SAMPLE_VALUES, field="subject")
    await render(body, SAMPLE_VALUES, field="body")


async def _unique_name(
    session: AsyncSession, name: str, language: str | None, exclude: str | None = None
) -> None:
    # Names are unique per language; the site's language (NULL) is checked here, since a
    # unique constraint lets NULLs repeat.
    same = (
        MessageTemplate.language.is_(None)
        if language is None
        else (MessageTemplate.language == language)
    )
    query = select(MessageTemplate.id).where(MessageTemplate.name == name, same)
    if exclude:
        query = query.where(MessageTemplate.id != exclude)
    if await session.scalar(query):
        in_language = f" in {language}" if language else ""
        raise Conflict(f"a template named {name!r} already exists{in_language}", field="name")


async def create_template(
    session: AsyncSession,
    *,
    actor: Actor,
    data: TemplateCreate,
    site_language: str = DEFAULT_LANGUAGE,
) -> MessageTemplate:
    permissions.require(actor, Act.MANAGE_TEMPLATES)
    return await add_template(session, actor=actor, data=data, site_language=site_language)


async def add_template(
    session: AsyncSession,
    *,
    actor: Actor,
    data: TemplateCreate,
    site_language: str = DEFAULT_LANGUAGE,
) -> MessageTemplate:
    """Store a new template (checked, and rendered once against sample values) whoever
    `actor` is: for the shipped defaults, which the first accepted alert brings in."""
    name = data.name.strip()
    _check_template(name, data.status, data.impact, data.audience)
    language = template_language(data.language, site_language=site_language)
    await _try_render(data.subject, data.body)
    await _unique_name(session, name, language)
    template = MessageTemplate(
        name=name,
        language=language,
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
    await audit(session, actor, "template.create", ("template", template.id), {"name": name})
    return template


async def update_template(
    session: AsyncSession,
    *,
    actor: Actor,
    template_id: str,
    data: TemplateUpdate,
    site_language: str = DEFAULT_LANGUAGE,
) -> MessageTemplate:
    permissions.require(actor, Act.MANAGE_TEMPLATES)
    template = await get_template(session, template_id)
    name = data.name.strip() if data.name is not None else template.name
    status = data.status if data.status is not None else template.status
    impact = data.impact if data.impact is not None else template.impact
    aud = data.audience if data.audience is not None else template.audience
    subject = data.subject if data.subject is not None else template.subject
    body = data.body if data.body is not None else template.body
    _check_template(name, status, impact or None, aud or None)
    language = template.language
    if data.language is not None:
        language = template_language(data.language, site_language=site_language)
    await _try_render(subject, body)
    await _unique_name(session, name, language, exclude=template.id)
    template.language = language
    template.name, template.status, template.subject, template.body = name, status, subject, body
    template.impact, template.audience = impact or None, aud or None
    if data.notes is not None:
        template.notes = data.notes
    template.updated_by = actor.name
    template.updated_at = utcnow()
    await session.flush()
    await audit(session, actor, "template.edit", ("template", template.id), {"name": name})
    return template


async def delete_template(session: AsyncSession, *, actor: Actor, template_id: str) -> None:
    permissions.require(actor, Act.MANAGE_TEMPLATES)
    template = await get_template(session, template_id)
    await session.delete(template)
    await audit(
        session, actor, "template.delete", ("template", template_id), {"name": template.name}
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
    defer_promise: bool = False,
    reveal_links: bool = False,
) -> Rendered:
    """Render template text for an incident (and a customer) without saving anything.

    A customer's page link stays a stand-in unless `reveal_links` (see `template_context`):
    words that are kept (drafts) never hold one.

    `defer_promise` (words for a draft) leaves the next-update time as a mark that
    publishing fills in (`promises.PROMISE_AT`), so the words promise from when they go out.
    """
    incident = await get_incident(session, incident_id)
    customer = await get_customer(session, customer_id) if customer_id else None
    status = status or incident.status
    now = utcnow()
    promise = _promise(incident, status, now)
    context = template_context(
        site,
        incident,
        status=status,
        customer=customer,
        next_update_at=promise,
        now=now,
        reveal_links=reveal_links,
    )
    if defer_promise:
        promise = None
        context["next_update_at"], context["next_update_in"] = PROMISE_AT, PROMISE_IN
    text = await render(body, context, field="body")
    return Rendered(
        subject=await render(subject, context, field="subject"),
        body=text,
        html=markdown_to_safe_html(text),
        next_update_at=promise,
    )


def email_subject(site: Site, incident: Incident, status: str) -> str:
    return f"[{site.page_name}] {incident.title}: {status_words(status)}"
