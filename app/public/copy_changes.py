"""Reading what changed since the static copy was written, as the paths to write again.

The subjects come from `app.db.changes`; the facts their paths need (the history page an
incident is listed on, its components, the recent incidents naming a component) are read
here in a few indexed queries, whatever the length of the history. The rules turning them
into paths are `app.public.copy_paths`.
"""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.changes import CUSTOMERS, EVERYTHING, subjects_since
from app.incidents.models import Incident, IncidentComponent
from app.incidents.status import OPEN_STATUSES
from app.lib.clock import utcnow
from app.public.copy_paths import Changed, IncidentFacts, paths_as_time_passes, paths_for
from app.public.render import history_page_of
from app.public.snapshot import recent_ids, window_start

_INCIDENT = "incident:"
_COMPONENT = "component:"


async def paths_changed(
    session: AsyncSession, *, since: int, until: int, zone: tzinfo
) -> frozenset[str] | None:
    """The paths whose files may differ between state versions `since` and `until`; None
    when only a full export will do (everything changed, an incident was deleted, or the
    rows kept no longer reach back to `since`)."""
    found = await subjects_since(session, since, until)
    if found is None or EVERYTHING in found:
        return None
    incident_ids = sorted(s.removeprefix(_INCIDENT) for s in found if s.startswith(_INCIDENT))
    component_ids = {s.removeprefix(_COMPONENT) for s in found if s.startswith(_COMPONENT)}
    unknown = found - {CUSTOMERS} - {s for s in found if s.startswith((_INCIDENT, _COMPONENT))}
    if unknown:
        return None
    incidents = await _incident_facts(session, incident_ids, zone)
    if len(incidents) < len(incident_ids):  # deleted: where it was listed is not known
        return None
    for facts in incidents:
        component_ids.update(facts.component_ids)
    changed = Changed(
        incidents=tuple(incidents),
        component_ids=tuple(sorted(component_ids)),
        recent_by_component=await _recent_by_component(session, component_ids),
    )
    return paths_for(changed)


async def paths_in_time(session: AsyncSession) -> frozenset[str]:
    """The paths time alone moves (`copy_paths.paths_as_time_passes`)."""
    open_ids = await session.scalars(select(Incident.id).where(Incident.status.in_(OPEN_STATUSES)))
    return paths_as_time_passes(open_ids.all())


async def _incident_facts(
    session: AsyncSession, incident_ids: list[str], zone: tzinfo
) -> list[IncidentFacts]:
    if not incident_ids:
        return []
    rows = (
        await session.execute(
            select(Incident.id, Incident.started_at).where(Incident.id.in_(incident_ids))
        )
    ).all()
    links = (
        await session.execute(
            select(IncidentComponent.incident_id, IncidentComponent.component_id).where(
                IncidentComponent.incident_id.in_(incident_ids)
            )
        )
    ).all()
    now = utcnow()
    return [
        IncidentFacts(
            id=incident_id,
            history_page=history_page_of(started_at, zone, now),
            component_ids=tuple(sorted(c for i, c in links if i == incident_id)),
        )
        for incident_id, started_at in rows
    ]


async def _recent_by_component(
    session: AsyncSession, component_ids: set[str]
) -> dict[str, tuple[str, ...]]:
    if not component_ids:
        return {}
    rows = (
        await session.execute(
            select(IncidentComponent.component_id, IncidentComponent.incident_id).where(
                IncidentComponent.component_id.in_(sorted(component_ids)),
                IncidentComponent.incident_id.in_(recent_ids(window_start(utcnow()))),
            )
        )
    ).all()
    found: dict[str, list[str]] = {}
    for component_id, incident_id in rows:
        found.setdefault(component_id, []).append(incident_id)
    return {c: tuple(sorted(ids)) for c, ids in found.items()}
