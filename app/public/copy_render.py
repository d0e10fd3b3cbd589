"""Many incident pages of the static copy rendered at once, from one snapshot.

A full export holds a page for every public incident in the history. Asked for one by one,
each page read its incident alone and worked out the same views and component statuses
again, so an export of 20,000 incidents took minutes. Here the incidents are read a batch
at a time and each page is rendered from the same snapshot, with the same views, the same
audience rule and the same template as `GET /incidents/<id>` (`render.incident_context`),
so the bytes are the ones the app would answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.incidents.models import Incident
from app.lib.templating import Renderer
from app.public.render import incident_context, reader_for, snapshot_with
from app.public.snapshot import Snapshot
from app.public.views import IncidentView, component_statuses, visible_incidents
from app.settings import Settings

BATCH = 500  # incidents read at once: bounded memory, few queries

# Incident ids -> (path -> page) for those the public may see; the others are left out.
RenderIncidents = Callable[[list[str]], Awaitable[dict[str, bytes]]]


def _batches(ids: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


async def render_incident_pages(
    session: AsyncSession,
    renderer: Renderer,
    settings: Settings,
    snapshot: Snapshot,
    incident_ids: list[str],
    language: str,
) -> dict[str, bytes]:
    """The public page of each of `incident_ids` the public may see, by path, in `language`."""
    reader = reader_for(snapshot, None)
    recent = visible_incidents(snapshot, reader.audience)
    statuses = component_statuses(snapshot, recent)
    views: dict[str, IncidentView] = {v.id: v for v in recent}
    pages: dict[str, bytes] = {}

    def render(view: IncidentView) -> None:
        context = incident_context(snapshot, reader, settings, view, language, statuses)
        pages[f"/incidents/{view.id}"] = renderer.render("incident.html", **context).encode()

    for incident_id in incident_ids:
        if incident_id in views:
            render(views[incident_id])
    older = [i for i in incident_ids if i not in snapshot.incident_ids]
    for batch in _batches(older, BATCH):
        incidents = (
            await session.scalars(
                select(Incident)
                .options(selectinload(Incident.updates))
                .where(Incident.id.in_(batch))
            )
        ).all()
        for view in visible_incidents(snapshot_with(snapshot, list(incidents)), reader.audience):
            render(view)
        session.expunge_all()  # the batch is rendered: let it go
    return pages


def incident_pages_of(state: Any, language: str | None = None) -> RenderIncidents:
    """A `RenderIncidents` over an app's state: its page cache's snapshot, its database, its
    renderer and its settings; in `language` (None: the site's)."""

    async def render(incident_ids: list[str]) -> dict[str, bytes]:
        async with state.sessionmaker() as session:
            snapshot = await state.page_cache.snapshot(session)
            return await render_incident_pages(
                session,
                state.renderer,
                state.settings,
                snapshot,
                incident_ids,
                language or state.settings.language,
            )

    return render
