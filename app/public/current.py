"""A component's status now: one truth for every surface that says it.

The pages, `summary.json`, the badges and the feeds cut each component's status from the
snapshot (`views.component_statuses`: its own status, made worse by the open incidents and
the maintenance in progress that the reader may see). The team's surfaces (the JSON API,
the desk's "now …") and the component changes an update records ask here, and get it from
the same function, so no two of them disagree at any moment.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import audience as aud
from app.components.models import Component
from app.components.service import list_components
from app.components.status import ComponentStatus
from app.incidents.models import Incident, Update
from app.public.snapshot import Snapshot, load_snapshot
from app.public.views import component_statuses, visible_incidents


@dataclass(frozen=True)
class ComponentNow:
    """A component as the desk lists it, with the status its page shows now."""

    component: Component
    status: str

    @property
    def id(self) -> str:
        return self.component.id

    @property
    def name(self) -> str:
        return self.component.name

    @property
    def label(self) -> str:
        return ComponentStatus(self.status).label

    @property
    def group_name(self) -> str:
        return self.component.group.name if self.component.group is not None else ""


@dataclass(frozen=True)
class PickerGroup:
    name: str  # "" for components in no group
    components: list[ComponentNow]


@dataclass(frozen=True)
class Picker:
    """A desk form's component picker: the incident's components first, grouped as on the
    page, and the rest (folded on the form), grouped the same way."""

    first: list[PickerGroup]
    rest: list[PickerGroup]

    @property
    def rest_count(self) -> int:
        return sum(len(g.components) for g in self.rest)


def _by_group(components: list[ComponentNow]) -> list[PickerGroup]:
    groups: dict[str, list[ComponentNow]] = {}
    for item in components:  # already in page order: ungrouped first, then group by group
        groups.setdefault(item.group_name, []).append(item)
    return [PickerGroup(name, items) for name, items in groups.items()]


def picker(components: list[ComponentNow], first: Collection[str]) -> Picker:
    """Split `components` (in page order) into those named in `first` and the others."""
    wanted = set(first)
    return Picker(
        first=_by_group([c for c in components if c.id in wanted]),
        rest=_by_group([c for c in components if c.id not in wanted]),
    )


async def component_picker(session: AsyncSession, first: Collection[str] = ()) -> Picker:
    """Every component with its status now, for a desk form, `first` ones first."""
    return picker(await components_now(session, await list_components(session)), first)


def statuses_in(snapshot: Snapshot, audience: aud.Audience) -> dict[str, ComponentStatus]:
    return component_statuses(snapshot, visible_incidents(snapshot, audience))


async def statuses_now(
    session: AsyncSession, audience: aud.Audience = aud.PUBLIC
) -> dict[str, ComponentStatus]:
    """Component id -> its status as `audience` reads it now (the public by default: the
    status page's, which the API and the desk show)."""
    return statuses_in(await load_snapshot(session, version=0, open_only=True), audience)


async def components_now(session: AsyncSession, components: list[Component]) -> list[ComponentNow]:
    """`components`, in their order, each with the status the page shows now."""
    now = await statuses_now(session)
    return [ComponentNow(c, now.get(c.id, ComponentStatus(c.status)).value) for c in components]


def readers_of(snapshot: Snapshot, incident: Incident, update: Update) -> aud.Audience:
    """Whose statuses an update's component changes are recorded as: its first reader (the
    public when it reaches everyone, else its customer)."""
    readers = aud.readers(
        visibility=incident.visibility,
        affected=snapshot.affected.get(incident.id, set()),
        update_customer_id=update.customer_id,
    )
    return readers[0] if readers else aud.PUBLIC


def record_changes(
    recorded: Collection[dict[str, Any]] | None,
    before: dict[str, ComponentStatus],
    after: dict[str, ComponentStatus],
) -> list[dict[str, Any]] | None:
    """An update's `affected_components` with the status each component really had for its
    readers just before the update was published, and has just after."""
    if recorded is None:
        return None
    changes = []
    for entry in recorded:
        code = entry["code"]
        old = before.get(code, ComponentStatus(entry["old_status"]))
        new = after.get(code, ComponentStatus(entry["new_status"]))
        changes.append({**entry, "old_status": old.value, "new_status": new.value})
    return changes
