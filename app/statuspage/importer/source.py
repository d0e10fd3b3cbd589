"""The clean records an import works from, made by `parse` out of a page's untidy JSON.

Times are aware UTC datetimes (offsets and fractional seconds as the source wrote them,
converted); statuses and impacts are Tidings' values; ids are the source's own strings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Problem:
    """Something about one source object: why it was skipped, or what was adjusted."""

    kind: str  # page, group, component, incident, maintenance, update
    source_id: str | None
    name: str | None
    reason: str

    def describe(self) -> str:
        if self.kind == "page":
            label = "page"
        elif self.name:
            label = f"{self.kind} {self.name!r}"
        elif self.source_id:
            label = f"{self.kind} {self.source_id!r}"
        else:
            label = f"one {self.kind}"
        return f"{label}: {self.reason}"


@dataclass
class SourceGroup:
    id: str
    name: str
    description: str | None
    position: int
    created_at: datetime | None
    updated_at: datetime | None


@dataclass
class SourceComponent:
    id: str
    name: str
    description: str | None
    status: str
    group_id: str | None  # the source id of its group
    position: int
    showcase: bool
    only_show_if_degraded: bool
    created_at: datetime | None
    updated_at: datetime | None


@dataclass
class Affected:
    """One entry of an update's `affected_components`, by source component id."""

    code: str
    name: str
    old_status: str
    new_status: str


@dataclass
class SourceUpdate:
    id: str
    status: str
    body: str
    created_at: datetime
    display_at: datetime
    updated_at: datetime
    affected: list[Affected] | None
    deliver_notifications: bool


@dataclass
class SourceIncident:
    id: str
    kind: str  # "incident" or "maintenance"
    name: str
    status: str
    impact: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime
    identified_at: datetime | None
    monitoring_at: datetime | None
    resolved_at: datetime | None
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    # Affected components by source id, in the source's order, with the status each had
    # during the incident (see parse._link_statuses).
    components: dict[str, str]
    updates: list[SourceUpdate]  # oldest first


@dataclass
class SourcePage:
    """One page as read: what can be imported, what cannot, and what was adjusted."""

    url: str
    key: str  # names the source in the id mapping: its page id, else its URL
    page_id: str | None
    name: str | None
    groups: list[SourceGroup] = field(default_factory=list)
    components: list[SourceComponent] = field(default_factory=list)
    incidents: list[SourceIncident] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def fingerprint(record: Any, *, leave_out: tuple[str, ...] = ()) -> str:
    """A stable hash of what a record would import (a dataclass), to tell changed from not."""
    data = {k: v for k, v in asdict(record).items() if k not in leave_out}
    encoded = json.dumps(data, sort_keys=True, default=_plain, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()
