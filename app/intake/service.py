"""Triage: a person accepts or declines the incident an alert opened.

Accepting makes it an ordinary incident for its audience and puts a first draft in the
approval queue; only a person who may publish lets words out. Declining closes it as
noise, out of all history. Alerts themselves come in through `app.intake.threads`.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts.actor import Actor
from app.audit.service import record
from app.comms.review.service import create_draft, submit_draft
from app.comms.schemas import DraftCreate
from app.comms.wording.defaults import install_default_templates
from app.comms.wording.templates import Site, template_for
from app.comms.wording.unfinished import find_gaps
from app.incidents import service as incidents
from app.incidents.models import Incident
from app.incidents.schemas import IncidentUpdate
from app.incidents.status import IncidentStatus, is_open
from app.intake.models import AlertThread, TriageState
from app.intake.schemas import TriageAccept
from app.lib.clock import utcnow
from app.lib.errors import Conflict


async def _triage_thread(session: AsyncSession, incident_id: str) -> AlertThread:
    await incidents.get_incident(session, incident_id)  # 404 for an unknown incident
    thread = await session.scalar(select(AlertThread).where(AlertThread.incident_id == incident_id))
    if thread is None:
        raise Conflict(f"incident {incident_id} was not opened by an alert; there is no triage")
    if thread.state != TriageState.TRIAGE:
        raise Conflict(f"incident {incident_id} was already {thread.state}")
    return thread


async def accept(
    session: AsyncSession, site: Site, *, actor: Actor, incident_id: str, data: TriageAccept
) -> Incident:
    """Say a triage incident is real: it becomes an ordinary investigating incident for its
    audience, and a first draft waits in the approval queue."""
    thread = await _triage_thread(session, incident_id)
    incident = await incidents.get_incident(session, incident_id)
    customers = data.customers if data.customers is not None else incident.customer_ids
    visibility = data.visibility or audience.default_visibility(customers)
    incident = await incidents.edit_incident(
        session,
        actor=actor,
        incident_id=incident_id,
        data=IncidentUpdate(visibility=visibility, customers=data.customers),
    )
    status = incident.status if is_open(incident.status) else IncidentStatus.INVESTIGATING.value
    # A new install has no templates yet: the first accepted alert brings in the defaults.
    await install_default_templates(session, actor=actor)
    template = await template_for(
        session,
        status=status,
        impact=incident.impact,
        reach=audience.reach_of(visibility),
    )
    if template is None:
        raise Conflict(
            f"there is no template for the {status} status to write the first draft from; "
            "add one on the templates page",
            field="template",
        )
    draft = await create_draft(
        session,
        site,
        actor=actor,
        incident_id=incident_id,
        data=DraftCreate(status=status, template_id=template.id),
    )
    if not find_gaps(draft.body):
        # A template that leaves blanks to fill waits as a draft for its writer: unfinished
        # words may not be submitted, and accepting the alert should not fail for it.
        await submit_draft(session, actor=actor, update_id=draft.id, waivable=False)
    thread.state = TriageState.ACCEPTED.value
    thread.decided_by = actor.name
    thread.decided_at = utcnow()
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="triage.accept",
        subject_type="incident",
        subject_id=incident_id,
        incident_id=incident_id,
        detail={"visibility": visibility.value, "draft": draft.id},
    )
    return await incidents.get_incident(session, incident_id)


async def decline(
    session: AsyncSession, *, actor: Actor, incident_id: str, reason: str
) -> Incident:
    """Say a triage incident is noise: closed as declined, out of all history."""
    thread = await _triage_thread(session, incident_id)
    incident = await incidents.decline_incident(
        session, actor=actor, incident_id=incident_id, reason=reason
    )
    thread.state = TriageState.DECLINED.value
    thread.decided_by = actor.name
    thread.decided_at = utcnow()
    thread.decline_reason = " ".join(reason.split())
    thread.open_key = None
    await session.flush()
    return incident


async def triage_queue(
    session: AsyncSession, *, limit: int = 100
) -> list[tuple[AlertThread, Incident]]:
    """Alert threads waiting for a person, newest alert first, with their incidents (whose
    components and customers load with them)."""
    query = (
        select(AlertThread, Incident)
        .join(Incident, Incident.id == AlertThread.incident_id)
        .where(AlertThread.state == TriageState.TRIAGE.value)
        .order_by(AlertThread.last_fired_at.desc(), AlertThread.id)
        .limit(limit)
    )
    return [(thread, incident) for thread, incident in (await session.execute(query)).all()]


async def waiting_thread(session: AsyncSession, incident_id: str) -> AlertThread | None:
    """The alert thread of an incident still waiting for triage, if it is one."""
    return await session.scalar(
        select(AlertThread).where(
            AlertThread.incident_id == incident_id,
            AlertThread.state == TriageState.TRIAGE.value,
        )
    )


async def triage_count(session: AsyncSession) -> int:
    query = (
        select(func.count())
        .select_from(AlertThread)
        .where(AlertThread.state == TriageState.TRIAGE.value)
    )
    return await session.scalar(query) or 0
