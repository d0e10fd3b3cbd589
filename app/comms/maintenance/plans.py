"""Maintenance plans as the desk and the API read them: a window, its words for each moment,
and the states those words go through.

The verbs that write, approve, publish and cancel them are `app.comms.maintenance.service`; here,
besides reading, is the one rule every one of them applies first: approvals given for other
readers than the plan reaches now no longer hold (`void_moved`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.comms.models import MaintenanceWords
from app.comms.review import binding
from app.incidents import service as incidents
from app.incidents.audit import audit
from app.incidents.models import Incident
from app.incidents.schemas import IncidentUpdate
from app.incidents.status import IncidentKind, UpdateState, is_open
from app.lib.clock import as_utc
from app.lib.errors import InvalidInput, NotFound

SCHEDULED, IN_PROGRESS, COMPLETED = "scheduled", "in_progress", "completed"
PHASES = (SCHEDULED, IN_PROGRESS, COMPLETED)
PHASE_LABELS = {SCHEDULED: "Scheduled", IN_PROGRESS: "In progress", COMPLETED: "Completed"}
# The record of a cancellation, kept beside the words: what the readers were told, if any.
CALLED_OFF = "cancelled"

WAITING, APPROVED, PUBLISHED, MISSED, CANCELLED, SKIPPED = (
    "waiting",
    "approved",
    "published",
    "missed",
    "cancelled",
    "skipped",
)
PENDING = (WAITING, APPROVED)
RESCHEDULED = "the window's times changed after approval; approve the words again"
CANCEL_REASON = "maintenance cancelled before it was announced"
# Approved words hold for the readers the plan had when they were approved (`approved_for`).
VOIDED = "the plan's readers changed after approval ({}); approve the words again"


@dataclass
class Plan:
    """A window and its words, one per moment (None: no words for that moment)."""

    incident: Incident
    words: dict[str, MaintenanceWords | None]

    @property
    def cancelled(self) -> bool:
        return self.incident.declined_at is not None or self.words.get(CALLED_OFF) is not None

    @property
    def announced_at(self) -> datetime | None:
        """When the window was announced without planned words (scheduled through the
        incidents API with its first update): None when the plan's own words say it."""
        if self.words.get(SCHEDULED) is not None:
            return None
        times = [
            u.published_at
            for u in self.incident.updates
            if u.state == UpdateState.PUBLISHED and u.status == SCHEDULED and u.published_at
        ]
        return min(times, default=None)

    @property
    def audience(self) -> binding.Snapshot:
        """Who the plan's words reach now: what an approval in advance is given for."""
        return binding.incident_audience(self.incident)

    def voided(self, phase: str) -> bool:
        """Approved words whose plan reaches other readers than it did at their approval:
        the approval no longer holds (words approved before approvals recorded their
        readers hold as they did)."""
        words = self.words.get(phase)
        return (
            words is not None
            and words.state == APPROVED
            and words.approved_for is not None
            and words.approved_for != self.audience
        )

    def publishes_at(self, phase: str) -> datetime | None:
        """When the words of `phase` go (or went) out; None for "scheduled" not yet approved."""
        words = self.words.get(phase)
        if words is not None and words.published_at is not None:
            return words.published_at
        if phase == SCHEDULED:
            return None
        return (
            self.incident.scheduled_for if phase == IN_PROGRESS else self.incident.scheduled_until
        )


def check_phase(phase: str) -> str:
    if phase not in PHASES:
        raise InvalidInput(
            f"phase must be one of {', '.join(PHASES)}, got {phase!r}", field="phase"
        )
    return phase


async def get_plan(session: AsyncSession, incident_id: str) -> Plan:
    incident = await incidents.get_incident(session, incident_id)
    if incident.kind != IncidentKind.MAINTENANCE:
        raise NotFound(f"no maintenance window with id {incident_id!r}")
    rows = await session.scalars(
        select(MaintenanceWords)
        .where(MaintenanceWords.incident_id == incident.id)
        .execution_options(populate_existing=True)
    )
    words: dict[str, MaintenanceWords | None] = dict.fromkeys(PHASES)
    for row in rows:
        words[row.phase] = row
    return Plan(incident, words)


async def list_plans(session: AsyncSession, *, limit: int = 100) -> list[Plan]:
    """Maintenance windows, the ones still to come or under way first, soonest first."""
    windows = await incidents.list_incidents(session, kind=IncidentKind.MAINTENANCE, limit=limit)
    ids = [w.id for w in windows]
    rows = await session.scalars(
        select(MaintenanceWords).where(MaintenanceWords.incident_id.in_(ids))
    )
    by_window: dict[str, dict[str, MaintenanceWords | None]] = {
        i: dict.fromkeys(PHASES) for i in ids
    }
    for row in rows:
        by_window[row.incident_id][row.phase] = row
    plans = [Plan(w, by_window[w.id]) for w in windows]
    plans.sort(key=lambda p: (not is_open(p.incident.status), as_utc(p.incident.started_at)))
    return plans


async def void_moved(session: AsyncSession, plan: Plan, actor: Actor) -> None:
    """Approvals given for other readers than the plan reaches now no longer hold: their
    words wait for a comms lead again (audited, with what changed)."""
    for phase, words in plan.words.items():
        if words is None or not plan.voided(phase):
            continue
        assert words.approved_for is not None
        changed = await binding.describe_changes(session, words.approved_for, plan.audience)
        words.state, words.approved_by, words.approved_at = WAITING, None, None
        words.approved_for, words.note = None, VOIDED.format("; ".join(changed))
        detail = {"phase": phase, "changed": changed}
        await audit(session, actor, "maintenance.void", plan.incident, detail)
    await session.flush()


async def edit_window(
    session: AsyncSession, *, actor: Actor, incident_id: str, data: IncidentUpdate
) -> Plan:
    """Change a window's facts, whoever asks (the plans API, the desk, the maintenances
    API): with words approved in advance, who reads them is a comms lead's to change, and
    approvals given for other readers than the window has afterwards no longer hold."""
    plan = await get_plan(session, incident_id)
    approved = any(w is not None and w.state == APPROVED for w in plan.words.values())
    await incidents.edit_incident(
        session, actor=actor, incident_id=plan.incident.id, data=data, approved_ahead=approved
    )
    plan = await get_plan(session, plan.incident.id)
    await void_moved(session, plan, actor)
    return plan
