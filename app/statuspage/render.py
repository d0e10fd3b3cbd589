"""The status API v2's answers, rendered from a snapshot for one reader: one function per
endpoint, each returning the bytes the page cache keeps.

The lists of the 50 most recent incidents or maintenances may reach past the snapshot's 90
days; they read the older ones from the database on a cache miss, once per version.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.incidents.models import Incident
from app.incidents.status import FINAL_STATUSES, IncidentKind, is_open
from app.lib.clock import as_utc
from app.public import statuspage_shapes as shapes
from app.public.cache import Rendered
from app.public.front_page import StatusPage, status_page
from app.public.render import Reader, snapshot_with
from app.public.snapshot import WINDOW_DAYS, Snapshot
from app.public.views import IncidentView, visible_incidents
from app.settings import Settings, page_id_for

JSON = "application/json"
RECENT_LIMIT = 50
_OLDER_BATCH = 200


def _started(view: IncidentView) -> datetime:
    return as_utc(view.incident.started_at)


async def recent_views(
    snapshot: Snapshot,
    session: AsyncSession,
    reader: Reader,
    kind: IncidentKind,
    limit: int = RECENT_LIMIT,
) -> list[IncidentView]:
    """The `limit` most recent incidents (or maintenances) this reader may see, newest
    first, always including every open one (Statuspage's `incidents.json` rule)."""
    views = [v for v in visible_incidents(snapshot, reader.audience) if v.incident.kind == kind]
    open_views = [v for v in views if is_open(v.incident.status)]
    closed = [v for v in views if not is_open(v.incident.status)]
    wanted = max(0, limit - len(open_views))
    if len(closed) < wanted:
        closed += await _older_closed_views(snapshot, session, reader, kind, wanted - len(closed))
    closed.sort(key=_started, reverse=True)
    return sorted(open_views + closed[:wanted], key=_started, reverse=True)


async def _older_closed_views(
    snapshot: Snapshot, session: AsyncSession, reader: Reader, kind: IncidentKind, wanted: int
) -> list[IncidentView]:
    """Closed ones older than the snapshot's window, read in batches until enough are visible."""
    known = {i.id for i in snapshot.incidents}
    since = snapshot.taken_at - timedelta(days=WINDOW_DAYS + 1)
    found: list[IncidentView] = []
    offset = 0
    while len(found) < wanted:
        batch = list(
            (
                await session.scalars(
                    select(Incident)
                    .options(selectinload(Incident.updates))
                    .where(
                        Incident.kind == kind.value,
                        Incident.status.in_(FINAL_STATUSES),
                        Incident.started_at < since,
                    )
                    .order_by(Incident.started_at.desc(), Incident.id)
                    .limit(_OLDER_BATCH)
                    .offset(offset)
                )
            ).all()
        )
        fresh = [i for i in batch if i.id not in known]
        found += visible_incidents(snapshot_with(snapshot, fresh), reader.audience)
        if len(batch) < _OLDER_BATCH:
            break
        offset += _OLDER_BATCH
    return found[:wanted]


def _page(snapshot: Snapshot, reader: Reader, settings: Settings) -> StatusPage:
    return status_page(snapshot, reader.audience, zone=settings.zone)


def _incident_list(
    views: list[IncidentView], page: StatusPage, reader: Reader, settings: Settings
) -> list[dict[str, Any]]:
    statuses = shapes.component_status_map(page)
    page_id = page_id_for(settings)
    base_url = settings.base_url + reader.prefix
    return [shapes.incident_object(v, statuses, page_id=page_id, base_url=base_url) for v in views]


def json_rendering(data: Any) -> Rendered:
    return Rendered.of(json.dumps(data, separators=(",", ":")), JSON)


def page_object(snapshot: Snapshot, settings: Settings, reader: Reader) -> dict[str, Any]:
    """The `page` every answer starts with; a customer reads its own page's name and URL.

    Its `updated_at` is the latest change this reader may see: the words shown to them and
    the components' statuses. Internal incidents and other customers' words do not move it
    (a moving stamp would tell the public that something is going on inside)."""
    seen = [
        max(as_utc(u.updated_at), as_utc(u.published_at or u.updated_at))
        for view in visible_incidents(snapshot, reader.audience)
        for u in view.updates
    ]
    seen += [as_utc(c.updated_at) for c in snapshot.components]
    updated = max(seen, default=snapshot.taken_at)
    name = (
        settings.page_name
        if reader.customer is None
        else (f"{settings.page_name} for {reader.customer.name}")
    )
    return shapes.page_object(
        page_id=page_id_for(settings),
        name=name,
        url=settings.base_url + (reader.prefix or ""),
        time_zone=settings.time_zone,
        updated_at=updated,
    )


def _answer(snapshot: Snapshot, reader: Reader, settings: Settings, **lists: Any) -> Rendered:
    """`{"page": ..., <list name>: [...]}`, the shape of every answer but the summary."""
    return json_rendering({"page": page_object(snapshot, settings, reader), **lists})


def render_summary(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    return json_rendering(
        shapes.summary(
            _page(snapshot, reader, settings),
            snapshot.groups,
            page_obj=page_object(snapshot, settings, reader),
            base_url=settings.base_url + reader.prefix,
        )
    )


def render_status(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    page = _page(snapshot, reader, settings)
    return _answer(snapshot, reader, settings, status=shapes.status_object(page))


def render_components(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    page = _page(snapshot, reader, settings)
    components = shapes.components_list(page, snapshot.groups, page_id=page_id_for(settings))
    return _answer(snapshot, reader, settings, components=components)


async def _recent(
    snapshot: Snapshot,
    session: AsyncSession,
    reader: Reader,
    settings: Settings,
    kind: IncidentKind,
) -> list[dict[str, Any]]:
    views = await recent_views(snapshot, session, reader, kind)
    return _incident_list(views, _page(snapshot, reader, settings), reader, settings)


async def render_incidents(
    snapshot: Snapshot, session: AsyncSession, reader: Reader, settings: Settings
) -> Rendered:
    incidents = await _recent(snapshot, session, reader, settings, IncidentKind.INCIDENT)
    return _answer(snapshot, reader, settings, incidents=incidents)


def render_unresolved(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    page = _page(snapshot, reader, settings)
    incidents = _incident_list(page.open_incidents, page, reader, settings)
    return _answer(snapshot, reader, settings, incidents=incidents)


async def render_maintenances(
    snapshot: Snapshot, session: AsyncSession, reader: Reader, settings: Settings
) -> Rendered:
    maintenances = await _recent(snapshot, session, reader, settings, IncidentKind.MAINTENANCE)
    return _answer(snapshot, reader, settings, scheduled_maintenances=maintenances)


def render_upcoming(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    page = _page(snapshot, reader, settings)
    maintenances = _incident_list(page.upcoming_maintenance, page, reader, settings)
    return _answer(snapshot, reader, settings, scheduled_maintenances=maintenances)


def render_active(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    page = _page(snapshot, reader, settings)  # active = in progress or verifying
    maintenances = _incident_list(page.active_maintenance, page, reader, settings)
    return _answer(snapshot, reader, settings, scheduled_maintenances=maintenances)
