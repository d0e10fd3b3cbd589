"""The worker's own view of an update and of the page: what a message is built from.

Built here from the update and incident rows the batch read (and, for the page's state, from
the snapshot the read side keeps), not handed around as the public page's view models, so
that the pages and the messages can change apart: `page_state` is the one place that reads
the page's rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app import audience as aud
from app.components.models import Component
from app.components.status import ComponentStatus
from app.incidents.models import Incident, Update
from app.incidents.status import POSTMORTEM
from app.public.front_page import status_page
from app.public.snapshot import Snapshot


@dataclass(frozen=True)
class Told:
    """An incident as one audience has been told it, up to one update."""

    incident: Incident
    updates: list[Update]  # those this audience may read, newest first
    components: list[tuple[Component, ComponentStatus]]  # as the incident set them

    @property
    def timeline(self) -> list[Update]:
        """The updates written while it was open (the postmortem stands apart)."""
        return [u for u in self.updates if u.status != POSTMORTEM]


@dataclass(frozen=True)
class News:
    """One published update of one incident, as the worker is about to tell it."""

    incident: Incident
    update: Update

    def told_to(self, audience: aud.Audience) -> Told:
        """What this audience may read of the incident, up to and with this update."""
        published = self.update.published_at or self.update.created_at
        updates = [
            u
            for u in aud.visible_updates(audience, self.incident.updates)
            if (u.published_at or u.created_at) <= published
        ]
        updates.sort(key=lambda u: u.published_at or u.created_at, reverse=True)
        components = [
            (link.component, ComponentStatus(link.status)) for link in self.incident.components
        ]
        return Told(self.incident, updates, components)


@dataclass(frozen=True)
class PageState:
    """The page's state as a message tells it to one audience."""

    indicator: str
    description: str
    # The components this audience is shown, each with its status now.
    statuses: dict[str, ComponentStatus]


def page_state(snapshot: Snapshot, audience: aud.Audience, *, zone: ZoneInfo) -> PageState:
    """The page's state for one audience, by the read side's rules (the banner's indicator,
    which components are shown): the one place the worker reads them."""
    page = status_page(snapshot, audience, zone=zone)
    return PageState(
        indicator=page.indicator,
        description=page.description,
        statuses={c.component.id: c.status for g in page.groups for c in g.components},
    )
