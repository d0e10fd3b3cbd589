"""What one audience sees, cut from a snapshot in memory: pure functions a test can call.

Every filter here asks `app.audience`; this module only arranges what it is allowed to show:
the incidents and components as views. How the front page arranges them (the banner, the
groups, a customer's own services first) is `app.public.front_page`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app import audience as aud
from app.components.models import Component
from app.components.status import ComponentStatus, worst
from app.incidents.models import Incident, Update
from app.incidents.status import POSTMORTEM, IncidentKind, MaintenanceStatus, is_open
from app.lib.clock import as_utc, utcnow
from app.lib.translations import N_
from app.public.days import (
    RECENT_DAYS,
    DayView,
    Segment,
    added_ago,
    segments,
    span_words,
    summary,
    uptime,
)
from app.public.snapshot import Snapshot

# The words of each update status, as readers see them on pages and in feeds.
UPDATE_STATUS_WORDS = {
    "investigating": N_("Investigating"),
    "identified": N_("Identified"),
    "monitoring": N_("Monitoring"),
    "resolved": N_("Resolved"),
    "scheduled": N_("Scheduled"),
    "in_progress": N_("In progress"),
    "verifying": N_("Verifying"),
    "completed": N_("Completed"),
    "postmortem": N_("Postmortem"),
}


def update_status_words(status: str) -> str:
    """An update's status in words (English; translate where shown)."""
    return UPDATE_STATUS_WORDS.get(status) or status.replace("_", " ").capitalize()


class Phase(StrEnum):
    """Where a maintenance window stands for a reader, from its status and its clock."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {
            "scheduled": N_("Scheduled"),
            "in_progress": N_("In progress"),
            "completed": N_("Completed"),
        }[self.value]


def maintenance_phase(incident: Incident, now: datetime) -> Phase:
    """Scheduled until the window opens; in progress while the team says so or the window
    is open; completed once the team says so or a window nobody started has closed.

    "Under maintenance" is therefore never shown for a window that has not begun.
    """
    if incident.status == MaintenanceStatus.COMPLETED:
        return Phase.COMPLETED
    if incident.status in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING):
        return Phase.IN_PROGRESS
    start, end = incident.scheduled_for, incident.scheduled_until
    if start is None or now < as_utc(start):
        return Phase.SCHEDULED
    if end is not None and now >= as_utc(end):
        return Phase.COMPLETED
    return Phase.IN_PROGRESS


@dataclass
class IncidentView:
    incident: Incident
    updates: list[Update]  # visible ones, newest first
    components: list[tuple[Component, ComponentStatus]]
    now: datetime | None = None  # when the view was cut (the snapshot's time)
    affects_reader: bool = False  # a customer's own incident, shown first on its page

    @property
    def latest(self) -> Update:
        return self.updates[0]

    @property
    def postmortem(self) -> Update | None:
        """The published follow-up of a resolved incident, when this reader may see one."""
        return next((u for u in self.updates if u.status == POSTMORTEM), None)

    @property
    def timeline(self) -> list[Update]:
        """The updates written while it was open, newest first (the postmortem stands apart)."""
        return [u for u in self.updates if u.status != POSTMORTEM]

    @property
    def at(self) -> datetime:
        return self.now or utcnow()

    @property
    def phase(self) -> Phase | None:
        """A maintenance window's phase; None for an incident."""
        if not self.is_maintenance:
            return None
        return maintenance_phase(self.incident, self.at)

    @property
    def has_begun(self) -> bool:
        return self.phase is not Phase.SCHEDULED

    @property
    def is_ongoing(self) -> bool:
        """An open incident, or a maintenance window in progress."""
        if self.is_maintenance:
            return self.phase is Phase.IN_PROGRESS
        return is_open(self.incident.status)

    @property
    def update_late(self) -> bool:
        """The promised next update is past due: the page says so rather than showing the
        promise as if still ahead. Judged when the page is rendered (the cache keeps no
        rendering past the next promise's time, `app.public.cache`)."""
        due = self.incident.next_update_at
        return self.is_ongoing and due is not None and as_utc(due) <= utcnow()

    @property
    def ends_at(self) -> datetime | None:
        """When it ended: resolution, or the close of a window nobody marked as started."""
        if self.incident.resolved_at is not None:
            return self.incident.resolved_at
        if self.phase is Phase.COMPLETED:
            return self.incident.scheduled_until
        return None

    @property
    def state_label(self) -> str:
        """What a reader is told it is now: a phase, "Ongoing" or "Resolved"."""
        if self.phase is not None:
            return self.phase.label
        return N_("Ongoing") if is_open(self.incident.status) else N_("Resolved")

    def shown_status(self, status: ComponentStatus) -> str:
        """A component's status during this incident as a reader should read it now: a
        window that has not begun says "Scheduled", one that is over "Completed"."""
        phase = self.phase
        if phase is Phase.SCHEDULED:
            return N_("Scheduled")
        if phase is Phase.COMPLETED:
            return N_("Completed")
        return status.label

    @property
    def id(self) -> str:
        return self.incident.id

    @property
    def is_maintenance(self) -> bool:
        return self.incident.kind == IncidentKind.MAINTENANCE

    @property
    def duration_seconds(self) -> float | None:
        """How long it lasted, or has lasted so far; None for a window yet to begin."""
        if self.is_maintenance and not self.has_begun:
            return None
        end = self.ends_at or self.at
        return max(0.0, (as_utc(end) - as_utc(self.incident.started_at)).total_seconds())


@dataclass
class ComponentView:
    component: Component
    status: ComponentStatus
    days: list[DayView]
    uptime: float  # percent over the window

    @property
    def segments(self) -> list[Segment]:
        return segments(self.days)

    @property
    def recent(self) -> list[DayView]:
        """The days a phone shows."""
        return self.days[-RECENT_DAYS:]

    @property
    def recent_uptime(self) -> float:
        """The uptime of the days a phone shows: the figure under the bars is for the bars."""
        return uptime(self.recent)

    @property
    def is_new(self) -> bool:
        """Added within the window: the bars before it are empty, not green."""
        return not self.days[0].existed

    def added_ago(self, recent: bool = False) -> int | None:
        return added_ago(self.recent if recent else self.days)

    def span_words(self, recent: bool = False) -> str:
        return span_words(self.recent if recent else self.days)

    @property
    def summary(self) -> str:
        return summary(self.days, self.uptime)

    @property
    def troubled_days(self) -> list[DayView]:
        return [d for d in self.days if not d.quiet]


@dataclass
class GroupView:
    name: str
    description: str | None
    components: list[ComponentView]

    @property
    def status(self) -> ComponentStatus:
        return worst([c.status for c in self.components])

    @property
    def open(self) -> bool:
        """A group is shown unfolded when anything in it is not operational."""
        return self.status is not ComponentStatus.OPERATIONAL


def visible_incidents(snapshot: Snapshot, audience: aud.Audience) -> list[IncidentView]:
    """The snapshot's incidents this audience may see, each with only its visible updates
    (the audience rule hides one with no published words for it)."""
    by_id = {c.id: c for c in snapshot.components}
    views = []
    for incident in snapshot.incidents:
        affected = snapshot.affected.get(incident.id, set())
        updates = aud.shown_updates(audience, incident, affected=affected)
        if not updates:
            continue
        updates.sort(key=lambda u: as_utc(u.published_at or u.created_at), reverse=True)
        components = [
            (by_id[link.component_id], ComponentStatus(link.status))
            for link in incident.components
            if link.component_id in by_id
        ]
        views.append(
            IncidentView(
                incident=incident,
                updates=updates,
                components=components,
                now=snapshot.taken_at,
                affects_reader=audience.customer_id is not None
                and audience.customer_id in snapshot.affected.get(incident.id, set()),
            )
        )
    return views


def is_active_maintenance(view: IncidentView) -> bool:
    return view.phase is Phase.IN_PROGRESS


def _current_impacts(views: list[IncidentView]) -> dict[str, list[ComponentStatus]]:
    """Component id -> statuses imposed by open incidents and maintenance in progress."""
    impacts: dict[str, list[ComponentStatus]] = {}
    for view in views:
        incident = view.incident
        if incident.kind == IncidentKind.INCIDENT and is_open(incident.status):
            for component, status in view.components:
                impacts.setdefault(component.id, []).append(status)
        elif is_active_maintenance(view):
            for component, _status in view.components:
                impacts.setdefault(component.id, []).append(ComponentStatus.UNDER_MAINTENANCE)
    return impacts


def component_statuses(snapshot: Snapshot, views: list[IncidentView]) -> dict[str, ComponentStatus]:
    """Each component's status as this audience sees it: what was set on the component,
    made worse by the open incidents the audience may see (never by ones it may not)."""
    impacts = _current_impacts(views)
    return {
        c.id: worst([ComponentStatus(c.status), *impacts.get(c.id, [])])
        for c in snapshot.components
    }
