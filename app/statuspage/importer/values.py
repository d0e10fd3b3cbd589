"""Reading one untidy JSON value: text, times, flags and the Statuspage enums, leniently.

Each reader returns a clean value or None; deciding what None means is the caller's job.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.components.status import ComponentStatus
from app.incidents.status import Impact, IncidentKind, IncidentStatus, MaintenanceStatus

COMPONENT_STATUSES = frozenset(s.value for s in ComponentStatus)
IMPACTS = frozenset(i.value for i in Impact)
# Statuspage's incident lifecycle has one more step than ours: a published postmortem. The
# incident is over; its words stay on the timeline.
_ALIASES = {
    IncidentKind.INCIDENT: {"postmortem": IncidentStatus.RESOLVED.value},
    IncidentKind.MAINTENANCE: {"complete": MaintenanceStatus.COMPLETED.value},
}
_STATUSES = {
    IncidentKind.INCIDENT: frozenset(s.value for s in IncidentStatus),
    IncidentKind.MAINTENANCE: frozenset(s.value for s in MaintenanceStatus),
}


def text(value: Any) -> str | None:
    """A string (numbers become strings); blank, null and structures are None."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    result = str(value).strip()
    return result or None


def ident(value: Any) -> str | None:
    """A source id: a non-blank string or an integer id, at most 100 characters."""
    result = text(value)
    return result if result is not None and len(result) <= 100 else None


def when(value: Any) -> datetime | None:
    """An ISO 8601 time as aware UTC. Offsets and fractional seconds are kept exactly; a time
    with no offset is taken as UTC (Statuspage writes an offset or `Z`)."""
    raw = text(value)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def flag(value: Any, default: bool) -> bool:
    return value if isinstance(value, bool) else default


MAX_POSITION = 1_000_000


def position(value: Any, default: int) -> int:
    """An ordering number, kept within what any database column holds."""
    number = default
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    return max(0, min(number, MAX_POSITION))


def _word(value: Any) -> str | None:
    """`In Progress`, `in-progress` and `in_progress` all read as `in_progress`."""
    raw = text(value)
    return raw.lower().replace(" ", "_").replace("-", "_") if raw else None


def component_status(value: Any) -> str | None:
    word = _word(value)
    return word if word in COMPONENT_STATUSES else None


def lifecycle_status(kind: IncidentKind, value: Any) -> str | None:
    word = _word(value)
    if word is None:
        return None
    word = _ALIASES[kind].get(word, word)
    return word if word in _STATUSES[kind] else None


def impact(value: Any) -> str | None:
    """Our impacts are Statuspage's but `maintenance`: a planned window's impact is none."""
    word = _word(value)
    if word == "maintenance":
        return Impact.NONE.value
    return word if word in IMPACTS else None
