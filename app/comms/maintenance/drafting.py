"""The words of a maintenance window not yet scheduled, drafted from the team's maintenance
templates: the desk's form offers them, filled in with the window being planned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.comms.maintenance.plans import IN_PROGRESS, PHASES
from app.comms.wording import templates as wording
from app.comms.wording.render_pool import render
from app.components.service import list_components
from app.components.status import ComponentStatus
from app.incidents.models import Incident, IncidentComponent
from app.incidents.status import IncidentKind


async def words_from_templates(
    session: AsyncSession,
    site: wording.Site,
    *,
    title: str,
    starts: datetime | None,
    ends: datetime | None,
    component_ids: list[str],
) -> dict[str, str]:
    """Each moment's words (scheduled, in progress, completed) from the first maintenance
    template of its status, rendered for this window; a moment without one is left out.

    Nothing is saved: the window is an unsaved incident, only read by the rendering."""
    chosen = {t.status: t for t in reversed(await wording.list_templates(session))}
    known = {c.id: c for c in await list_components(session)}
    window = Incident(
        kind=IncidentKind.MAINTENANCE.value,
        title=title or "Planned maintenance",
        impact="none",
        status="scheduled",
        started_at=starts,
        scheduled_for=starts,
        scheduled_until=ends,
    )
    window.components = [
        IncidentComponent(
            component_id=cid, component=known[cid], status=ComponentStatus.UNDER_MAINTENANCE.value
        )
        for cid in component_ids
        if cid in known
    ]
    words = {}
    for phase in PHASES:
        template = chosen.get(phase)
        if template is None:
            continue
        context = wording.template_context(
            site,
            window,
            status=phase,
            customer=None,
            # While it runs, the next word is promised for the window's end.
            next_update_at=ends if phase == IN_PROGRESS else None,
        )
        words[phase] = await render(template.body, context, field="body")
    return words
