"""Maintenance windows planned from the desk, with their words approved in advance.

A window has words for three moments: "scheduled" (the announcement), "in_progress" (its
start) and "completed" (its end). Each is written by anyone who may draft and approved by a
comms lead under the same policy as the review queue (`app.comms.review.policy`). Approved
"scheduled" words go out at once; the others wait for their moment, when the worker's
`publish_due` publishes them through `app.comms.review.publishing`, as the comms lead who approved
them. Words not approved by their moment are not published: they are marked missed, and the
desk says so; approving them later publishes them then.

Changing the words, or the window's times, asks for approval again: what was approved is
exactly what goes out, at the times it was approved for.

This module holds the verbs; reading a plan (and the states its words go through) is
`app.comms.maintenance.plans`.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.models import Role
from app.accounts.permissions import Act
from app.comms.maintenance.plans import (
    APPROVED,
    CALLED_OFF,
    CANCEL_REASON,
    CANCELLED,
    COMPLETED,
    IN_PROGRESS,
    MISSED,
    PENDING,
    PHASE_LABELS,
    PHASES,
    PUBLISHED,
    RESCHEDULED,
    SCHEDULED,
    SKIPPED,
    WAITING,
    Plan,
    check_phase,
    edit_window,
    get_plan,
    void_moved,
)
from app.comms.models import MaintenanceWords
from app.comms.review import publishing
from app.comms.review.policy_store import require_approval_allowed
from app.comms.schemas import MaintenancePlanChange, MaintenancePlanCreate
from app.comms.wording.tone_rules import check_tone, refuse_blocking
from app.comms.wording.unfinished import refuse_unfinished
from app.components.status import ComponentStatus
from app.incidents import service as incidents
from app.incidents.audit import audit
from app.incidents.inputs import aware, clean_body
from app.incidents.maintenance import schedule_maintenance
from app.incidents.models import Incident
from app.incidents.schemas import AffectedComponent, IncidentUpdate, MaintenanceCreate, UpdateCreate
from app.incidents.status import MaintenanceStatus, is_open
from app.lib.clock import as_utc, utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound


async def _write(
    session: AsyncSession, actor: Actor, plan: Plan, phase: str, body: str
) -> MaintenanceWords:
    """New words for `phase`, waiting for approval (replacing any not yet out)."""
    permissions.require(actor, Act.DRAFT)
    body = clean_body(body)
    # Written words wait for approval as submitted drafts do: unfinished, they are refused
    # now, with the line to fix, not at the approval hours later.
    refuse_unfinished(body, field=phase)
    words = plan.words.get(phase)
    if words is not None and words.state == PUBLISHED and not _may_announce_again(plan, phase):
        raise Conflict(
            f"the {PHASE_LABELS[phase].lower()} words are already published", field=phase
        )
    if words is not None and words.body == body and words.state in PENDING:
        return words  # the same words: an approval stands
    if words is None:
        words = MaintenanceWords(incident_id=plan.incident.id, phase=phase, body=body)
        session.add(words)
        plan.words[phase] = words
    words.body, words.written_by, words.state = body, actor.name, WAITING
    words.written_by_id = actor.id
    words.approved_by = words.approved_by_id = words.approved_at = words.note = None
    words.approved_for = None
    words.update_id = words.published_at = None  # a new announcement, when there was one
    words.updated_at = utcnow()
    await session.flush()
    await audit(session, actor, "maintenance.words", plan.incident, {"phase": phase})
    return words


def _may_announce_again(plan: Plan, phase: str) -> bool:
    """Until the window starts, new "scheduled" words may follow the published ones (new
    times, say); once approved they go out as a further announcement."""
    return phase == SCHEDULED and plan.incident.status == MaintenanceStatus.SCHEDULED


def _refuse_if_over(plan: Plan) -> None:
    if plan.cancelled:
        raise Conflict("this maintenance was cancelled")
    if not is_open(plan.incident.status):
        raise Conflict("this maintenance is completed")


def _window(starts: datetime | None, ends: datetime | None) -> tuple[datetime, datetime]:
    start, end = aware(starts, "scheduled_for"), aware(ends, "scheduled_until")
    assert start is not None and end is not None
    if end <= start:
        raise InvalidInput("scheduled_until must be after scheduled_for", field="scheduled_until")
    return start, end


async def schedule(session: AsyncSession, *, actor: Actor, data: MaintenancePlanCreate) -> Plan:
    """Plan a window (it must end in the future) and write the words given for its moments."""
    _start, end = _window(data.scheduled_for, data.scheduled_until)
    if end <= utcnow():
        raise InvalidInput("the window must end in the future", field="scheduled_until")
    incident = await schedule_maintenance(
        session,
        actor=actor,
        data=MaintenanceCreate(
            title=data.title,
            scheduled_for=data.scheduled_for,
            scheduled_until=data.scheduled_until,
            impact=data.impact,
            visibility=data.visibility,
            components=_under_maintenance(data.components),
            customers=data.customers,
        ),
    )
    plan = await get_plan(session, incident.id)
    for phase in PHASES:
        body = getattr(data, phase)
        if body and body.strip():
            await _write(session, actor, plan, phase, body)
    return plan


def _under_maintenance(ids: list[str]) -> list[AffectedComponent]:
    return [
        AffectedComponent(id=cid, status=ComponentStatus.UNDER_MAINTENANCE)
        for cid in dict.fromkeys(ids)
    ]


async def change(
    session: AsyncSession, *, actor: Actor, incident_id: str, data: MaintenancePlanChange
) -> Plan:
    """Edit a window. New times ask for approval again of the words still to go out."""
    plan = await get_plan(session, incident_id)
    _refuse_if_over(plan)
    incident = plan.incident
    moved = False
    if data.scheduled_for is not None or data.scheduled_until is not None:
        start, end = _window(
            data.scheduled_for or incident.scheduled_for,
            data.scheduled_until or incident.scheduled_until,
        )
        old = (incident.scheduled_for, incident.scheduled_until)
        moved = (start, end) != tuple(as_utc(t) if t else None for t in old)
        if moved and end <= utcnow():
            raise InvalidInput("the window must end in the future", field="scheduled_until")
    facts = IncidentUpdate(
        title=data.title,
        visibility=data.visibility,
        customers=data.customers,
        components=None if data.components is None else _under_maintenance(data.components),
        scheduled_for=data.scheduled_for if moved else None,
        scheduled_until=data.scheduled_until if moved else None,
    )
    if any(v is not None for v in msgspec.structs.astuple(facts)):
        plan = await edit_window(session, actor=actor, incident_id=incident.id, data=facts)
    if moved:
        for phase in (IN_PROGRESS, COMPLETED):
            words = plan.words[phase]
            if words is not None and words.state in (APPROVED, MISSED):
                words.state, words.approved_by, words.approved_at = WAITING, None, None
                words.note, words.approved_for = RESCHEDULED, None
        await session.flush()
    for phase in PHASES:
        body = getattr(data, phase)
        if body is not None and body.strip():
            await _write(session, actor, plan, phase, body)
    return await get_plan(session, incident.id)


async def write_words(
    session: AsyncSession, *, actor: Actor, incident_id: str, phase: str, body: str
) -> Plan:
    plan = await get_plan(session, incident_id)
    _refuse_if_over(plan)
    await void_moved(session, plan, actor)
    await _write(session, actor, plan, check_phase(phase), body)
    return plan


def _due(plan: Plan, phase: str, now: datetime) -> bool:
    at = plan.publishes_at(phase)
    return phase == SCHEDULED or (at is not None and as_utc(at) <= now)


async def approve_words(
    session: AsyncSession, *, actor: Actor, incident_id: str, phase: str
) -> Plan:
    """Approve one moment's words, as a reviewer approves a draft (same policy, tone checks).
    Words whose moment has come ("scheduled", or a missed start or end) go out at once."""
    permissions.require(actor, Act.APPROVE)
    plan = await get_plan(session, incident_id)
    _refuse_if_over(plan)
    await void_moved(session, plan, actor)
    words = plan.words.get(check_phase(phase))
    if words is None:
        raise NotFound(f"no {PHASE_LABELS[phase].lower()} words to approve; write them first")
    if words.state == PUBLISHED:
        raise Conflict(f"the {PHASE_LABELS[phase].lower()} words are already published")
    if words.state == APPROVED:
        raise Conflict(f"the {PHASE_LABELS[phase].lower()} words are already approved")
    incident = plan.incident
    if phase == SCHEDULED and incident.status != MaintenanceStatus.SCHEDULED:
        raise Conflict("the window has started: an announcement is no longer due", field=phase)
    decision = await require_approval_allowed(
        session,
        actor=actor,
        author_id=words.written_by_id,
        visibility=incident.visibility,
        impact=incident.impact,
    )
    refuse_unfinished(words.body)
    refuse_blocking(await check_tone(session, incident=incident, status=phase, body=words.body))
    now = utcnow()
    words.state, words.approved_by, words.approved_at, words.note = APPROVED, actor.name, now, None
    words.approved_for = plan.audience  # the readers this approval is for, and only them
    words.approved_by_id = actor.id
    await session.flush()
    detail: dict[str, object] = {"phase": phase, "author": words.written_by}
    if decision.waiver:
        detail["waiver"] = decision.waiver
    await audit(session, actor, "maintenance.approve", incident, detail)
    if _due(plan, phase, now):
        await _publish(session, plan, words, now)
    return await get_plan(session, incident.id)


async def _publish(
    session: AsyncSession, plan: Plan, words: MaintenanceWords, now: datetime
) -> None:
    """Publish approved words through the one publishing verb, as the comms lead who
    approved them (the author wrote them; nobody changed them since)."""
    assert words.state == APPROVED and words.approved_by is not None
    # Words from before identities were kept may have no traceable id: an id nobody has.
    author = Actor(words.written_by, Role.RESPONDER, words.written_by_id or "unknown:")
    approver = Actor(words.approved_by, Role.COMMS_LEAD, words.approved_by_id or "unknown:")
    draft = await incidents.post_update(
        session,
        actor=author,
        incident_id=plan.incident.id,
        data=UpdateCreate(status=words.phase, body=words.body),
    )
    await publishing.publish_update(session, actor=approver, update=draft)
    words.state, words.update_id, words.published_at = PUBLISHED, draft.id, now
    await session.flush()
    await audit(
        session,
        approver,
        "maintenance.publish",
        plan.incident,
        {
            "phase": words.phase,
            "approved_at": words.approved_at.isoformat() if words.approved_at else None,
        },
    )


async def publish_due(session: AsyncSession, now: datetime | None = None) -> list[MaintenanceWords]:
    """The worker's job: publish approved words whose moment has come; mark words whose
    moment came unapproved as missed (nothing goes out). Returns the words it handled."""
    now = now or utcnow()
    query = (
        select(MaintenanceWords, Incident)
        .join(Incident, Incident.id == MaintenanceWords.incident_id)
        .where(
            MaintenanceWords.state.in_([WAITING, APPROVED]),
            MaintenanceWords.phase.in_([IN_PROGRESS, COMPLETED]),
            Incident.declined_at.is_(None),
            (
                (MaintenanceWords.phase == IN_PROGRESS) & (Incident.scheduled_for <= now)
                | (MaintenanceWords.phase == COMPLETED) & (Incident.scheduled_until <= now)
            ),
        )
        .order_by(Incident.scheduled_for, MaintenanceWords.phase.desc())
        .with_for_update(of=MaintenanceWords, skip_locked=True)
    )
    handled = []
    for found, incident in (await session.execute(query)).all():
        # Claimed by a conditional write, the first of the transaction: a second worker's
        # waits for this one to commit and then matches nothing, so words go out once.
        claimed = await session.execute(
            update(MaintenanceWords)
            .where(MaintenanceWords.id == found.id, MaintenanceWords.state == found.state)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 0:  # type: ignore[attr-defined]
            continue
        plan = await get_plan(session, incident.id)
        words = plan.words[found.phase] or found
        handled.append(words)
        system = Actor.system("maintenance", name="maintenance schedule", role=Role.RESPONDER)
        # Words approved for other readers than the plan reaches now wait for a comms lead.
        voided = plan.voided(words.phase)
        await void_moved(session, plan, system)
        if not is_open(plan.incident.status) or (
            words.phase == IN_PROGRESS
            and plan.words[COMPLETED] is not None
            and plan.words[COMPLETED].state == PUBLISHED  # type: ignore[union-attr]
        ):
            words.state, words.note = SKIPPED, "the window was already completed"
            continue
        if words.state == APPROVED:
            await _publish(session, plan, words, now)
            continue
        words.state = MISSED
        words.note = "not approved by the time it was due: nothing was published" + (
            f" ({words.note})" if voided else ""
        )
        await audit(session, system, "maintenance.missed", plan.incident, {"phase": words.phase})
    await session.flush()
    return handled


async def cancel(
    session: AsyncSession, *, actor: Actor, incident_id: str, body: str | None = None
) -> Plan:
    """Call a window off. Never announced: it closes quietly, as if it never was. Announced:
    its readers are told (`body`, published at once, so a comms lead's act)."""
    plan = await get_plan(session, incident_id)
    _refuse_if_over(plan)
    incident = plan.incident
    announced = incidents.has_published_words(incident)
    for words in plan.words.values():
        if words is not None and words.state in (WAITING, APPROVED, MISSED):
            words.state, words.note = CANCELLED, "the maintenance was cancelled"
    await session.flush()
    if not announced:
        await incidents.decline_incident(
            session, actor=actor, incident_id=incident.id, reason=CANCEL_REASON
        )
        record = MaintenanceWords(
            incident_id=incident.id,
            phase=CALLED_OFF,
            body=CANCEL_REASON,
            written_by=actor.name,
            written_by_id=actor.id,
            state=CANCELLED,
        )
    else:
        # Who may publish the words is asked once, by the publishing verb below.
        if not body or not body.strip():
            raise InvalidInput(
                "this maintenance was announced: say what its readers should know", field="body"
            )
        told = await publishing.post_update(
            session,
            actor=actor,
            incident_id=incident.id,
            data=UpdateCreate(status=MaintenanceStatus.COMPLETED.value, body=body, publish=True),
        )
        record = MaintenanceWords(
            incident_id=incident.id,
            phase=CALLED_OFF,
            body=told.body,
            written_by=actor.name,
            written_by_id=actor.id,
            state=PUBLISHED,
            approved_by=actor.name,
            approved_by_id=actor.id,
            approved_at=told.published_at,
            update_id=told.id,
            published_at=told.published_at,
        )
    session.add(record)
    await session.flush()
    await audit(session, actor, "maintenance.cancel", incident, {"announced": announced})
    return await get_plan(session, incident.id)
