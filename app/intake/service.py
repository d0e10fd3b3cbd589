"""Alerts open triage incidents; a person accepts or declines them.

A firing alert opens a triage incident that nobody outside the team sees, or joins the
open one with the same source and dedup key; a resolved alert leaves a note in the audit
log. Nothing an alert says ever reaches customers: accepting puts a first draft in the
approval queue, and only a person who may publish lets words out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts.actor import Actor
from app.audit.service import record
from app.comms.defaults import install_default_templates
from app.comms.schemas import DraftCreate
from app.comms.service import create_draft, submit_draft
from app.comms.wording import Site, template_for
from app.components.models import Component
from app.components.status import ComponentStatus
from app.customers.models import Customer
from app.incidents import service as incidents
from app.incidents.models import Incident
from app.incidents.schemas import AffectedComponent, IncidentCreate, IncidentUpdate
from app.incidents.status import IncidentStatus, Visibility, is_open
from app.intake.alerts import Alert
from app.intake.models import AlertStatus, AlertThread, TriageState
from app.intake.schemas import TriageAccept
from app.lib.clock import utcnow
from app.lib.errors import Conflict
from app.lib.ids import new_id


@dataclass
class Intake:
    action: str  # opened | joined | resolved | ignored
    thread: AlertThread | None
    unmatched_components: list[str] = field(default_factory=list)
    unmatched_customers: list[str] = field(default_factory=list)


async def _resolve_names(
    session: AsyncSession, model: type[Component] | type[Customer], refs: list[str]
) -> tuple[list[str], list[str]]:
    """Ids of the things named by id or (case-insensitive) name, and the refs that matched
    nothing. An alert naming an unknown thing is still taken: the miss is reported back."""
    if not refs:
        return [], []
    lowered = [r.lower() for r in refs]
    rows = (
        await session.execute(
            select(model.id, model.name).where(
                or_(model.id.in_(refs), func.lower(model.name).in_(lowered))
            )
        )
    ).all()
    by_ref = {}
    for row_id, name in rows:
        by_ref[row_id] = row_id
        by_ref.setdefault(name.lower(), row_id)
    ids, unmatched = [], []
    for ref in refs:
        found = by_ref.get(ref) or by_ref.get(ref.lower())
        if found is None:
            unmatched.append(ref)
        elif found not in ids:
            ids.append(found)
    return ids, unmatched


async def _open_thread(session: AsyncSession, key: str) -> AlertThread | None:
    """The thread holding `key` whose incident is still open. One whose incident has been
    closed (resolved or declined) since releases the key, so the next alert opens anew."""
    row = (
        await session.execute(
            select(AlertThread, Incident.status, Incident.declined_at)
            .join(Incident, Incident.id == AlertThread.incident_id)
            .where(AlertThread.open_key == key)
        )
    ).first()
    if row is None:
        return None
    thread, status, declined_at = row
    if is_open(status) and declined_at is None:
        return thread
    await session.execute(
        update(AlertThread)
        .where(AlertThread.id == thread.id, AlertThread.open_key == key)
        .values(open_key=None)
    )
    return None


async def _claim(session: AsyncSession, alert: Alert) -> AlertThread | None:
    """Insert the thread for this key unless another request holds it: the unique open key
    decides, with ON CONFLICT DO NOTHING, so concurrent repeats never raise or open twice.
    (PostgreSQL makes the loser wait for the winner's commit; SQLite serialises writers.)"""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    thread_id = new_id()
    result = await session.execute(
        insert(AlertThread)
        .values(
            id=thread_id,
            source=alert.source,
            dedup_key=alert.dedup_key,
            open_key=alert.open_key,
            incident_id=None,
            state=TriageState.TRIAGE.value,
            alert_status=AlertStatus.FIRING.value,
            fire_count=1,
            last_fired_at=now,
            last_alert=alert.summary(),
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["open_key"])
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return await session.get(AlertThread, thread_id)


async def receive_alert(session: AsyncSession, *, actor: Actor, alert: Alert) -> Intake:
    """Take one alert: open a triage incident, join the open one, or note a resolution."""
    if alert.status == AlertStatus.RESOLVED:
        return await _note_resolved(session, actor=actor, alert=alert)
    component_ids, unmatched_components = await _resolve_names(session, Component, alert.components)
    customer_ids, unmatched_customers = await _resolve_names(session, Customer, alert.customers)
    thread = await _open_thread(session, alert.open_key)
    if thread is None:
        thread = await _claim(session, alert)
        if thread is not None:
            await _open_triage_incident(
                session,
                actor=actor,
                alert=alert,
                thread=thread,
                component_ids=component_ids,
                customer_ids=customer_ids,
            )
            return Intake("opened", thread, unmatched_components, unmatched_customers)
        # Another request claimed the key a moment ago; its incident is the one to join.
        thread = await _open_thread(session, alert.open_key)
        if thread is None:  # pragma: no cover - only if that incident closed in between
            raise Conflict("an alert with this dedup key was taken at the same time; retry")
    await _join(
        session,
        actor=actor,
        alert=alert,
        thread=thread,
        component_ids=component_ids,
        customer_ids=customer_ids,
    )
    return Intake("joined", thread, unmatched_components, unmatched_customers)


async def _open_triage_incident(
    session: AsyncSession,
    *,
    actor: Actor,
    alert: Alert,
    thread: AlertThread,
    component_ids: list[str],
    customer_ids: list[str],
) -> None:
    incident = await incidents.open_incident(
        session,
        actor=actor,
        data=IncidentCreate(
            title=alert.title,
            impact=alert.impact,
            visibility=Visibility.INTERNAL,
            components=[
                AffectedComponent(id=cid, status=alert.component_status) for cid in component_ids
            ],
            customers=customer_ids,
        ),
    )
    thread.incident_id = incident.id
    await session.flush()
    await record(
        session,
        actor=actor.name,
        action="alert.open",
        subject_type="alert",
        subject_id=thread.id,
        incident_id=incident.id,
        detail={"source": alert.source, "dedup_key": alert.dedup_key, **alert.summary()},
    )


async def _join(
    session: AsyncSession,
    *,
    actor: Actor,
    alert: Alert,
    thread: AlertThread,
    component_ids: list[str],
    customer_ids: list[str],
) -> None:
    was_resolved = thread.alert_status == AlertStatus.RESOLVED
    # Repeats are counted on the thread, not audited one by one: a storm would bury the log.
    # One statement, so concurrent repeats each count (no read-modify-write race).
    await session.execute(
        update(AlertThread)
        .where(AlertThread.id == thread.id)
        .values(
            fire_count=AlertThread.fire_count + 1,
            last_fired_at=utcnow(),
            alert_status=AlertStatus.FIRING.value,
            last_alert=alert.summary(),
            updated_at=utcnow(),
        )
    )
    await session.refresh(thread)
    if was_resolved:
        await record(
            session,
            actor=actor.name,
            action="alert.refire",
            subject_type="alert",
            subject_id=thread.id,
            incident_id=thread.incident_id,
            detail={"source": alert.source, "dedup_key": alert.dedup_key},
        )
    if thread.state == TriageState.TRIAGE and thread.incident_id:
        await _widen(
            session,
            actor=actor,
            alert=alert,
            thread=thread,
            component_ids=component_ids,
            customer_ids=customer_ids,
        )


async def _widen(
    session: AsyncSession,
    *,
    actor: Actor,
    alert: Alert,
    thread: AlertThread,
    component_ids: list[str],
    customer_ids: list[str],
) -> None:
    """A repeat that names more components or customers adds them to the triage incident."""
    assert thread.incident_id is not None
    incident = await incidents.get_incident(session, thread.incident_id)
    new_components = [c for c in component_ids if c not in incident.component_ids]
    new_customers = [c for c in customer_ids if c not in incident.customer_ids]
    if not new_components and not new_customers:
        return
    components = [
        AffectedComponent(id=link.component_id, status=ComponentStatus(link.status))
        for link in incident.components
    ] + [AffectedComponent(id=cid, status=alert.component_status) for cid in new_components]
    await incidents.edit_incident(
        session,
        actor=actor,
        incident_id=incident.id,
        data=IncidentUpdate(
            components=components if new_components else None,
            customers=incident.customer_ids + new_customers if new_customers else None,
        ),
    )


async def _note_resolved(session: AsyncSession, *, actor: Actor, alert: Alert) -> Intake:
    thread = await _open_thread(session, alert.open_key)
    if thread is None:
        return Intake("ignored", None)
    thread.alert_status = AlertStatus.RESOLVED.value
    thread.last_resolved_at = utcnow()
    await session.flush()
    # A note for the team only: the audit log, never an update anyone could publish.
    await record(
        session,
        actor=actor.name,
        action="alert.resolved",
        subject_type="alert",
        subject_id=thread.id,
        incident_id=thread.incident_id,
        detail={"source": alert.source, "dedup_key": alert.dedup_key},
    )
    return Intake("resolved", thread)


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


async def list_threads(
    session: AsyncSession, *, state: TriageState | None = None, limit: int = 100
) -> list[tuple[AlertThread, str | None]]:
    """Alert threads newest first, with their incident's title; `triage` is the queue."""
    query = select(AlertThread, Incident.title).outerjoin(
        Incident, Incident.id == AlertThread.incident_id
    )
    if state is not None:
        query = query.where(AlertThread.state == state.value)
    query = query.order_by(AlertThread.last_fired_at.desc(), AlertThread.id).limit(limit)
    return [(thread, title) for thread, title in (await session.execute(query)).all()]


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
