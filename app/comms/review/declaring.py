"""Declaring an incident from the desk: its facts at once, its first words through review.

The incident is opened with its components (at their statuses) and the customers it names;
nothing of it shows outside the team until words about it are published. Those first words
are a draft from the "investigating" template (or the writer's own), carrying the
components' statuses, and they go the way every draft goes: into the queue, or, for a comms
lead where the approval policy allows, out at once with the waiver in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.review import publishing
from app.comms.review.service import approve_draft, create_draft, get_review, submit_draft
from app.comms.schemas import Declaration, DraftCreate
from app.comms.wording.defaults import install_default_templates
from app.comms.wording.templates import Site, template_for
from app.incidents.audit import audit
from app.incidents.models import Incident, Update
from app.incidents.schemas import IncidentCreate
from app.incidents.service import DIRECT_PUBLISH, get_incident
from app.incidents.status import IncidentStatus, UpdateState
from app.incidents.timing import chosen_promise
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput


@dataclass
class Declared:
    incident: Incident
    draft: Update


async def declare(
    session: AsyncSession, site: Site, *, actor: Actor, data: Declaration
) -> Declared:
    """Open the incident and draft its first words (submitted or published when asked)."""
    permissions.require(actor, Act.OPEN_INCIDENT)
    permissions.require(actor, Act.DRAFT)
    if data.publish:
        permissions.require(actor, Act.WAIVE_REVIEW, field="publish")
    audience.check_someone_affected(
        data.visibility, components=data.components, customers=data.customers
    )
    promise = chosen_promise(
        minutes=data.next_update_in_minutes, at=data.next_update_at, now=utcnow()
    )
    incident = await publishing.open_incident(
        session,
        actor=actor,
        data=IncidentCreate(
            title=data.title,
            impact=data.impact,
            visibility=data.visibility,
            components=data.components,
            customers=data.customers,
            status=IncidentStatus.INVESTIGATING.value,
        ),
    )
    status = IncidentStatus.INVESTIGATING.value
    template_id = None
    body = (data.body or "").strip() or None
    if body is None:
        await install_default_templates(session, actor=actor)
        template = await template_for(
            session,
            status=status,
            impact=incident.impact,
            reach=audience.reach_of(incident.visibility),
        )
        if template is None:
            raise InvalidInput(
                "no template for the investigating status fits this incident; write the first "
                "words yourself",
                field="body",
            )
        template_id = template.id
    draft = await create_draft(
        session,
        site,
        actor=actor,
        incident_id=incident.id,
        data=DraftCreate(
            status=status,
            template_id=template_id,
            body=body,
            components=list(data.components) or None,
            next_update_at=promise.at if promise else None,
            next_update_in_minutes=promise.minutes if promise else None,
        ),
    )
    review = await get_review(session, draft.id)
    assert review is not None  # create_draft wrote it
    review.declared = True  # retired if other words go out first (`retiring`)
    detail = {
        "title": incident.title,
        "visibility": incident.visibility,
        "components": {a.id: a.status.value for a in data.components},
        "customers": list(data.customers),
        "draft": draft.id,
    }
    await audit(session, actor, "incident.declare", incident, detail)
    if data.submit or data.publish:
        draft = await submit_draft(
            session, actor=actor, update_id=draft.id, zone=site.zone, site_language=site.language
        )
    if data.publish and draft.state == UpdateState.SUBMITTED:
        draft = await approve_draft(
            session,
            actor=actor,
            update_id=draft.id,
            notify=data.notify,
            zone=site.zone,
            waiver=DIRECT_PUBLISH,
            site_language=site.language,
        )
    return Declared(await get_incident(session, incident.id), draft)
