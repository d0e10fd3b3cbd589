"""Copying someone else's draft into one's own: the way to build on words one may not change.

A responder may read every draft but change only their own (a comms lead may change any).
Rather than a save that is refused after the typing, the draft page shows such a draft
read-only with "copy into my draft", which lands here.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.review.service import create_draft, get_review
from app.comms.schemas import DraftCreate
from app.comms.wording.templates import Site
from app.components.status import ComponentStatus
from app.incidents.audit import audit
from app.incidents.models import Update
from app.incidents.schemas import AffectedComponent
from app.incidents.service import get_incident, get_update
from app.incidents.status import IncidentKind, check_update_status
from app.lib.errors import InvalidTransition


async def copy_draft(session: AsyncSession, site: Site, *, actor: Actor, update_id: str) -> Update:
    """A new draft of `actor`'s own, with the words, reader, status and component statuses of
    update `update_id` (the status becomes the incident's own when the old one no longer
    fits it, e.g. "investigating" words copied after the incident was resolved)."""
    permissions.require(actor, Act.DRAFT)
    source = await get_update(session, update_id)
    incident = await get_incident(session, source.incident_id)
    status = source.status
    try:
        check_update_status(IncidentKind(incident.kind), incident.status, status)
    except InvalidTransition:
        status = incident.status
    planned = [
        AffectedComponent(id=p["code"], status=ComponentStatus(p["new_status"]))
        for p in source.affected_components or []
        if p.get("code") and p.get("new_status")
    ]
    copy = await create_draft(
        session,
        site,
        actor=actor,
        incident_id=incident.id,
        data=DraftCreate(
            status=status,
            body=source.body,
            customer=source.customer_id,
            components=planned or None,
            deliver_notifications=source.deliver_notifications,
        ),
    )
    source_review = await get_review(session, source.id)
    copy_review = await get_review(session, copy.id)
    if source_review is not None and copy_review is not None:
        # The queue's "changes since the template" still compares with where they began.
        copy_review.template_id = source_review.template_id
        copy_review.template_text = source_review.template_text
    await audit(session, actor, "draft.copy", copy, {"from": source.id, "author": source.author})
    return copy
