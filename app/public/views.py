"""What one audience sees, cut from a snapshot in memory: pure functions a test can call.

Every filter here asks `app.audience`; this module only arranges what it is allowed to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app import audience as aud
from app.components.models import Component
from app.components.status import ComponentStatus, page_indicator, worst
from app.incidents.models import Incident, Update
from app.incidents.status import IncidentKind, MaintenanceStatus, is_open
from app.lib.clock import as_utc
from app.public.snapshot import WINDOW_DAYS, Snapshot

# How much of an hour of each status counts as downtime in the uptime percentage.
_DOWNTIME_WEIGHT = {
    ComponentStatus.MAJOR_OUTAGE: 1.0,
    ComponentStatus.PARTIAL_OUTAGE: 0.3,
}


@dataclass
class IncidentView:
    incident: Incident
    updates: list[Update]  # visible ones, newest first
    components: list[tuple[Component, ComponentStatus]]

    @property
    def latest(self) -> Update:
        return self.updates[0]

    @property
    def id(self) -> str:
        return self.incident.id

    @property
    def is_maintenance(self) -> bool:
        return self.incident.kind == IncidentKind.MAINTENANCE

    @property
    def duration_seconds(self) -> float | None:
        end = self.incident.resolved_at
        if end is None:
            return None
        return (as_utc(end) - as_utc(self.incident.started_at)).total_seconds()


@dataclass
class DayView:
    day: date
    status: ComponentStatus
    incidents: list[str] = field(default_factory=list)  # titles, for the tooltip


@dataclass
class ComponentView:
    component: Component
    status: ComponentStatus
    days: list[DayView]
    uptime: float  # percent over the window


@dataclass
class GroupView:
    name: str
    description: str | None
    components: list[ComponentView]

    @property
    def status(self) -> ComponentStatus:
        return worst([c.status for c in self.components])


@dataclass
class StatusPage:
    audience: aud.Audience
    customer_name: str | None
    indicator: str
    description: str
    groups: list[GroupView]
    open_incidents: list[IncidentView]
    active_maintenance: list[IncidentView]
    upcoming_maintenance: list[IncidentView]
    recent_incidents: list[IncidentView]  # resolved within the last week
    generated_at: datetime


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
        views.append(IncidentView(incident=incident, updates=updates, components=components))
    return views


def _is_active_maintenance(incident: Incident) -> bool:
    return incident.kind == IncidentKind.MAINTENANCE and incident.status in (
        MaintenanceStatus.IN_PROGRESS,
        MaintenanceStatus.VERIFYING,
    )


def _current_impacts(views: list[IncidentView]) -> dict[str, list[ComponentStatus]]:
    """Component id -> statuses imposed by open incidents and maintenance in progress."""
    impacts: dict[str, list[ComponentStatus]] = {}
    for view in views:
        incident = view.incident
        if incident.kind == IncidentKind.INCIDENT and is_open(incident.status):
            for component, status in view.components:
                impacts.setdefault(component.id, []).append(status)
        elif _is_active_maintenance(incident):
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


def _day_bars(
    component: Component,
    views: list[IncidentView],
    *,
    today: date,
    zone: ZoneInfo,
    now: datetime,
) -> tuple[list[DayView], float]:
    days = {
        today - timedelta(days=n): DayView(
            day=today - timedelta(days=n), status=ComponentStatus.OPERATIONAL
        )
        for n in range(WINDOW_DAYS)
    }
    window_start = datetime.combine(
        today - timedelta(days=WINDOW_DAYS - 1), datetime.min.time(), tzinfo=zone
    )
    window_seconds = (now - window_start).total_seconds()
    downtime = 0.0
    for view in views:
        incident = view.incident
        if incident.kind != IncidentKind.INCIDENT:
            continue
        status = next((s for c, s in view.components if c.id == component.id), None)
        if status is None:
            continue
        start = max(as_utc(incident.started_at), window_start)
        end = as_utc(incident.resolved_at) if incident.resolved_at else now
        if end <= start:
            continue
        downtime += (end - start).total_seconds() * _DOWNTIME_WEIGHT.get(status, 0.0)
        day = start.astimezone(zone).date()
        last = end.astimezone(zone).date()
        while day <= last:
            if day in days:
                bar = days[day]
                bar.status = worst([bar.status, status])
                bar.incidents.append(incident.title)
            day += timedelta(days=1)
    uptime = 100.0 * max(0.0, 1 - downtime / window_seconds) if window_seconds > 0 else 100.0
    return [days[d] for d in sorted(days)], uptime


def status_page(
    snapshot: Snapshot, audience: aud.Audience, *, zone: ZoneInfo, customer_name: str | None = None
) -> StatusPage:
    now = snapshot.taken_at
    views = visible_incidents(snapshot, audience)
    statuses = component_statuses(snapshot, views)
    today = now.astimezone(zone).date()

    def component_view(component: Component) -> ComponentView:
        days, uptime = _day_bars(component, views, today=today, zone=zone, now=now)
        return ComponentView(
            component=component, status=statuses[component.id], days=days, uptime=uptime
        )

    shown = [
        c
        for c in snapshot.components
        if not c.only_show_if_degraded or statuses[c.id] != ComponentStatus.OPERATIONAL
    ]
    groups = []
    for group in snapshot.groups:
        members = [component_view(c) for c in shown if c.group_id == group.id]
        if members:
            groups.append(
                GroupView(name=group.name, description=group.description, components=members)
            )
    loose = [component_view(c) for c in shown if c.group_id is None]
    if loose:
        groups.insert(0, GroupView(name="", description=None, components=loose))

    indicator, description = page_indicator(list(statuses.values()))
    open_incidents = [
        v for v in views if v.incident.kind == IncidentKind.INCIDENT and is_open(v.incident.status)
    ]
    if open_incidents and indicator == "none":
        # An open incident with no component impact still means something is wrong.
        worst_impact = max(
            (v.incident.impact for v in open_incidents),
            key=["none", "minor", "major", "critical"].index,
        )
        indicator = worst_impact if worst_impact != "none" else "minor"
        description = "Minor Service Outage" if indicator == "minor" else "Partial System Outage"
    week_ago = now - timedelta(days=7)
    return StatusPage(
        audience=audience,
        customer_name=customer_name,
        indicator=indicator,
        description=description,
        groups=groups,
        open_incidents=open_incidents,
        active_maintenance=[v for v in views if _is_active_maintenance(v.incident)],
        upcoming_maintenance=sorted(
            [
                v
                for v in views
                if v.incident.kind == IncidentKind.MAINTENANCE
                and v.incident.status == MaintenanceStatus.SCHEDULED
            ],
            key=lambda v: as_utc(v.incident.scheduled_for or v.incident.started_at),
        ),
        recent_incidents=[
            v
            for v in views
            if v.incident.kind == IncidentKind.INCIDENT
            and not is_open(v.incident.status)
            and v.incident.resolved_at
            and as_utc(v.incident.resolved_at) >= week_ago
        ],
        generated_at=now,
    )
