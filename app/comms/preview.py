"""A draft as a reviewer sees it before approving: who it reaches, how each reader will see
it (page and email), what the tone checks find, and what changed since its template."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.comms import tone
from app.comms.models import DraftReview
from app.comms.service import get_review
from app.comms.tone_rules import check_tone
from app.comms.wording import Site, email_subject
from app.customers.models import Customer
from app.customers.service import components_by_customer, get_customer
from app.customers.service import page_url as customer_page_url
from app.incidents.models import Incident, Update
from app.incidents.service import get_incident
from app.incidents.status import UpdateState
from app.lib.clock import as_utc, utcnow
from app.lib.text import markdown_to_safe_html


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


async def _readers(
    session: AsyncSession, incident: Incident, draft: Update
) -> tuple[str, list[tuple[str, Customer | None]]]:
    """Who the draft reaches, as a label and as (name, customer or None for the public)."""
    affected = audience.affected_customer_ids(incident, await components_by_customer(session))
    customer = await get_customer(session, draft.customer_id) if draft.customer_id else None
    reach = audience.reach_of(incident.visibility, customer_id=draft.customer_id)
    label = audience.label(reach, customer_name=customer.name if customer else None)
    readers: list[tuple[str, Customer | None]] = []
    for reader in audience.readers(
        visibility=incident.visibility, affected=affected, update_customer_id=draft.customer_id
    ):
        if reader.customer_id is None:
            readers.append(("Public", None))
        else:
            found = customer or await get_customer(session, reader.customer_id)
            readers.append((found.name, found))
    return label, readers


def _preview(
    site: Site, incident: Incident, draft: Update, name: str, customer: Customer | None
) -> AudiencePreview:
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
    html = markdown_to_safe_html(draft.body)
    return AudiencePreview(
        label=name, page_url=url, html=html, email_subject=subject, email_body=body
    )


async def review_view(
    session: AsyncSession, site: Site, draft: Update, review: DraftReview | None = None
) -> ReviewView:
    """A draft as each audience would see it, with its findings and changes since the template."""
    incident = await get_incident(session, draft.incident_id)
    review = review or await get_review(session, draft.id) or DraftReview(findings=[])
    label, readers = await _readers(session, incident, draft)
    previews = [_preview(site, incident, draft, name, customer) for name, customer in readers]
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
