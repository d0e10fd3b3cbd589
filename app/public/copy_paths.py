"""Which public paths of the static copy a change rewrites, decided from what changed.

A change names its subjects (`app.db.changes`): an incident, a component, the customers, or
everything. Each subject maps to the pages that show it, so the copy asks for those and no
others, and its cost follows the change, not the length of the history:

- any change: the front page, the overall badge and the Statuspage JSON (each bounded: the
  JSON lists the open incidents and a fixed number of recent ones);
- an incident: its page, the history page that lists it, the feeds and the calendar, and
  what its components show (below), since its status can make theirs worse;
- a component: its badge and the pages of the recent incidents naming it, which show its
  status now (pages of older incidents do not: `render.incident_context`);
- the customers: nothing more (customer pages are never copied);
- everything, or a change the rows kept no longer account for: a full export.

The answer is a plain set of paths (`/`, `/incidents/<id>`, `/history/2`), so a later
prefix (a language) multiplies it without knowing where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CORE = (
    "/",
    "/badge.svg",
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
)
FEEDS = ("/feed.rss", "/feed.atom", "/history.rss", "/history.atom", "/maintenance.ics")


@dataclass(frozen=True)
class IncidentFacts:
    """What the paths of one changed incident depend on."""

    id: str
    history_page: int  # 1 = the newest history page
    component_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Changed:
    """What changed since the copy was written, with the facts its paths need."""

    incidents: tuple[IncidentFacts, ...] = ()
    component_ids: tuple[str, ...] = ()
    # component id -> ids of the recent incidents naming it (their pages show it now)
    recent_by_component: dict[str, tuple[str, ...]] = field(default_factory=dict)


def history_path(page: int) -> str:
    return "/history" if page <= 1 else f"/history/{page}"


def incident_path(incident_id: str) -> str:
    return f"/incidents/{incident_id}"


def _component_paths(component_id: str, recent: Iterable[str]) -> set[str]:
    return {f"/components/{component_id}/badge.svg"} | {incident_path(i) for i in recent}


def paths_for(changed: Changed) -> frozenset[str]:
    """The public paths whose files may differ after `changed`."""
    paths = set(CORE)
    components = set(changed.component_ids)
    for incident in changed.incidents:
        paths |= {incident_path(incident.id), history_path(incident.history_page), *FEEDS}
        components.update(incident.component_ids)
        for component_id in incident.component_ids:
            paths |= {f"/components/{component_id}/feed.{kind}" for kind in ("atom", "rss")}
    for component_id in components:
        paths |= _component_paths(component_id, changed.recent_by_component.get(component_id, ()))
    return frozenset(paths)


def paths_as_time_passes(open_incident_ids: Iterable[str]) -> frozenset[str]:
    """What time alone moves within a day (a window opening, a promised update lapsing): the
    front page, the JSON, the feeds and the first history page, and open incidents' pages."""
    return frozenset(
        {*CORE, *FEEDS, history_path(1), *(incident_path(i) for i in open_incident_ids)}
    )
