"""What an incident page shows beyond its updates: each affected component's statuses over
the incident's life, and its status now. Pure functions over an `IncidentView`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.components.models import Component
from app.components.status import ComponentStatus
from app.lib.clock import as_utc
from app.public.views import IncidentView


@dataclass
class ComponentHistory:
    component: Component
    during: ComponentStatus  # its status on the incident now
    changes: list[tuple[datetime, ComponentStatus]] = field(default_factory=list)
    now: ComponentStatus | None = None  # the component's own status for this reader


def component_histories(
    view: IncidentView, current: dict[str, ComponentStatus]
) -> list[ComponentHistory]:
    """Each affected component with the statuses its updates gave it, oldest first.

    Every published update records the statuses of the incident's components when it went
    out; a change is kept when the status differs from the one before. `current` maps a
    component id to its status on the reader's page now.
    """
    histories = []
    ordered = sorted(view.updates, key=lambda u: as_utc(u.published_at or u.created_at))
    for component, status in view.components:
        changes: list[tuple[datetime, ComponentStatus]] = []
        for update in ordered:
            for entry in update.affected_components or []:
                if entry.get("code") != component.id or not entry.get("new_status"):
                    continue
                try:
                    new = ComponentStatus(entry["new_status"])
                except ValueError:
                    continue
                if not changes or changes[-1][1] != new:
                    changes.append((update.published_at or update.created_at, new))
        if not changes:
            changes.append((view.incident.started_at, status))
        histories.append(
            ComponentHistory(
                component=component, during=status, changes=changes, now=current.get(component.id)
            )
        )
    return histories
