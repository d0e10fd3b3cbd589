"""The front page of one audience, arranged from its views: the banner and what it names,
the groups of components in page order, the incidents in the order a reader wants them (on
a customer's page, what affects its own services first). Pure, over a snapshot in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app import audience as aud
from app.components.status import ComponentStatus, page_indicator
from app.incidents.status import IncidentKind, is_open
from app.lib.clock import as_utc
from app.public.days import day_bars
from app.public.snapshot import Snapshot
from app.public.views import (
    ComponentView,
    GroupView,
    IncidentView,
    Phase,
    component_statuses,
    is_active_maintenance,
    visible_incidents,
)


@dataclass
class StatusPage:
    audience: aud.Audience
    customer_name: str | None
    indicator: str
    description: str
    groups: list[GroupView]  # every component shown, in page order (the JSON's view)
    open_incidents: list[IncidentView]
    active_maintenance: list[IncidentView]
    upcoming_maintenance: list[IncidentView]
    recent_incidents: list[IncidentView]  # resolved within the last week
    generated_at: datetime
    # A customer's page: the components it uses ("Your services") and the others.
    yours: list[GroupView] = field(default_factory=list)
    others: list[GroupView] = field(default_factory=list)
    # The banner: for a customer, the state of its own services; else the page's.
    headline_indicator: str = "none"
    headline: str = "All Systems Operational"
    # What the banner names: each service not operational (a customer's own ones), worst first.
    affected: list[tuple[str, ComponentStatus]] = field(default_factory=list)

    @property
    def is_customer_page(self) -> bool:
        """A customer page with services of its own puts them, and what affects them, first."""
        return bool(self.yours)

    @staticmethod
    def own(items: list[IncidentView]) -> list[IncidentView]:
        return [v for v in items if v.affects_reader]

    @staticmethod
    def not_own(items: list[IncidentView]) -> list[IncidentView]:
        return [v for v in items if not v.affects_reader]


def _grouped(
    snapshot: Snapshot, views: dict[str, ComponentView], wanted: set[str] | None = None
) -> list[GroupView]:
    """Component views arranged by group in page order; ungrouped ones first, unnamed."""
    ids = [
        c.id for c in snapshot.components if c.id in views and (wanted is None or c.id in wanted)
    ]
    groups = []
    for group in snapshot.groups:
        members = [views[i] for i in ids if views[i].component.group_id == group.id]
        if members:
            groups.append(
                GroupView(name=group.name, description=group.description, components=members)
            )
    loose = [views[i] for i in ids if views[i].component.group_id is None]
    if loose:
        groups.insert(0, GroupView(name="", description=None, components=loose))
    return groups


def _affected(
    snapshot: Snapshot, statuses: dict[str, ComponentStatus], among: set[str] | None
) -> list[tuple[str, ComponentStatus]]:
    """The services the banner names: not operational, worst first, then in page order."""
    named = [
        (c.name, statuses[c.id])
        for c in snapshot.components
        if statuses[c.id] is not ComponentStatus.OPERATIONAL and (among is None or c.id in among)
    ]
    return sorted(named, key=lambda pair: -pair[1].severity)  # stable: page order within


def _worst_impact(views: list[IncidentView]) -> tuple[str, str]:
    # An open incident with no component impact still means something is wrong.
    order = ["none", "minor", "major", "critical"]
    impact = max((v.incident.impact for v in views), key=order.index)
    indicator = impact if impact != "none" else "minor"
    return indicator, "Minor Service Outage" if indicator == "minor" else "Partial System Outage"


def status_page(
    snapshot: Snapshot, audience: aud.Audience, *, zone: ZoneInfo, customer_name: str | None = None
) -> StatusPage:
    """The page's arrangement for `audience`, made once per snapshot: the front page, the
    badge and each Statuspage JSON answer all read it, and the day bars of every component
    are most of a render (read-only, like the snapshot it is kept on)."""
    key = ("status_page", audience, str(zone), customer_name)
    if key not in snapshot.made:
        snapshot.made[key] = _status_page(snapshot, audience, zone, customer_name)
    return snapshot.made[key]  # type: ignore[no-any-return]


def _status_page(
    snapshot: Snapshot, audience: aud.Audience, zone: ZoneInfo, customer_name: str | None
) -> StatusPage:
    now = snapshot.taken_at
    views = visible_incidents(snapshot, audience)
    statuses = component_statuses(snapshot, views)
    today = now.astimezone(zone).date()

    component_views = {}
    for c in snapshot.components:
        if c.only_show_if_degraded and statuses[c.id] == ComponentStatus.OPERATIONAL:
            continue
        days, percent = day_bars(c.id, views, today=today, zone=zone, now=now, since=c.created_at)
        component_views[c.id] = ComponentView(
            component=c, status=statuses[c.id], days=days, uptime=percent
        )
    groups = _grouped(snapshot, component_views)

    indicator, description = page_indicator(list(statuses.values()))
    open_incidents = [
        v for v in views if v.incident.kind == IncidentKind.INCIDENT and is_open(v.incident.status)
    ]
    if open_incidents and indicator == "none":
        indicator, description = _worst_impact(open_incidents)

    # A customer's page is about the customer: its components first, its incidents first,
    # and a banner that says how its own services are.
    yours: list[GroupView] = []
    others = groups
    headline_indicator, headline = indicator, description
    affected = _affected(snapshot, statuses, None)
    if audience.customer_id is not None:
        used = snapshot.components_by_customer.get(audience.customer_id, set())
        if used:
            affected = _affected(snapshot, statuses, used)
            yours = _grouped(snapshot, component_views, used)
            others = _grouped(snapshot, component_views, set(component_views) - used)
            headline_indicator, headline = page_indicator([statuses[i] for i in used])
        own_open = [v for v in open_incidents if v.affects_reader]
        if own_open and headline_indicator == "none":
            headline_indicator, headline = _worst_impact(own_open)

    def own_first(items: list[IncidentView]) -> list[IncidentView]:
        return sorted(items, key=lambda v: not v.affects_reader)  # stable: keeps the order

    week_ago = now - timedelta(days=7)
    return StatusPage(
        audience=audience,
        customer_name=customer_name,
        indicator=indicator,
        description=description,
        groups=groups,
        open_incidents=own_first(open_incidents),
        active_maintenance=[v for v in views if is_active_maintenance(v)],
        upcoming_maintenance=sorted(
            [v for v in views if v.phase is Phase.SCHEDULED],
            key=lambda v: as_utc(v.incident.scheduled_for or v.incident.started_at),
        ),
        recent_incidents=own_first(
            [
                v
                for v in views
                if v.incident.kind == IncidentKind.INCIDENT
                and not is_open(v.incident.status)
                and v.incident.resolved_at
                and as_utc(v.incident.resolved_at) >= week_ago
            ]
        ),
        generated_at=now,
        yours=yours,
        others=others,
        headline_indicator=headline_indicator,
        headline=headline,
        affected=affected,
    )
