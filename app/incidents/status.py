"""Incident and maintenance lifecycles: the enums and the one table of allowed moves."""

from enum import StrEnum

from app.lib.errors import InvalidTransition


class IncidentKind(StrEnum):
    INCIDENT = "incident"
    MAINTENANCE = "maintenance"


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class MaintenanceStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


class Impact(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class Visibility(StrEnum):
    PUBLIC = "public"  # everyone
    CUSTOMERS = "customers"  # only the affected customers
    INTERNAL = "internal"  # nobody outside the team


class UpdateState(StrEnum):
    DRAFT = "draft"  # being written; nobody outside the team sees it
    SUBMITTED = "submitted"  # waiting in the approval queue
    REJECTED = "rejected"  # sent back to its author with a reason
    PUBLISHED = "published"  # approved words, visible to the incident's audience


# Going back is allowed while an incident is open (a fix that did not hold); a resolved
# incident stays resolved: a recurrence is a new incident with its own timeline.
_INCIDENT_MOVES: dict[IncidentStatus, set[IncidentStatus]] = {
    IncidentStatus.INVESTIGATING: {
        IncidentStatus.IDENTIFIED,
        IncidentStatus.MONITORING,
        IncidentStatus.RESOLVED,
    },
    IncidentStatus.IDENTIFIED: {
        IncidentStatus.INVESTIGATING,
        IncidentStatus.MONITORING,
        IncidentStatus.RESOLVED,
    },
    IncidentStatus.MONITORING: {
        IncidentStatus.INVESTIGATING,
        IncidentStatus.IDENTIFIED,
        IncidentStatus.RESOLVED,
    },
    IncidentStatus.RESOLVED: set(),
}

_MAINTENANCE_MOVES: dict[MaintenanceStatus, set[MaintenanceStatus]] = {
    MaintenanceStatus.SCHEDULED: {MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.COMPLETED},
    MaintenanceStatus.IN_PROGRESS: {MaintenanceStatus.VERIFYING, MaintenanceStatus.COMPLETED},
    MaintenanceStatus.VERIFYING: {MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.COMPLETED},
    MaintenanceStatus.COMPLETED: set(),
}

FINAL_STATUSES = frozenset({IncidentStatus.RESOLVED.value, MaintenanceStatus.COMPLETED.value})
OPEN_STATUSES = frozenset({s.value for s in (*IncidentStatus, *MaintenanceStatus)} - FINAL_STATUSES)


def statuses_for(kind: IncidentKind) -> list[str]:
    enum = IncidentStatus if kind is IncidentKind.INCIDENT else MaintenanceStatus
    return [s.value for s in enum]


def parse_status(kind: IncidentKind, value: str) -> str:
    """The status `value` as a member of the lifecycle of `kind`, or a 422 naming the choices."""
    allowed = statuses_for(kind)
    if value not in allowed:
        raise InvalidTransition(
            f"status must be one of {', '.join(allowed)} for {kind.value}, got {value!r}",
            field="status",
        )
    return value


def check_transition(kind: IncidentKind, current: str, new: str) -> None:
    """Raise InvalidTransition unless `current -> new` is allowed. Staying put is always allowed."""
    parse_status(kind, new)
    if current == new:
        return
    if kind is IncidentKind.INCIDENT:
        allowed = {s.value for s in _INCIDENT_MOVES[IncidentStatus(current)]}
    else:
        allowed = {s.value for s in _MAINTENANCE_MOVES[MaintenanceStatus(current)]}
    if new not in allowed:
        raise InvalidTransition(
            f"a {kind.value} cannot go from {current} to {new}"
            + (" (it is closed; open a new one)" if current in FINAL_STATUSES else ""),
            field="status",
        )


def is_open(status: str) -> bool:
    return status not in FINAL_STATUSES
