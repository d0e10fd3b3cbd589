"""Lifecycles: incidents, maintenance windows and the updates on their timeline; the enums
and the one table of allowed moves of each."""

from collections.abc import Collection
from enum import StrEnum

from app.lib.errors import Conflict, InvalidTransition


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


def default_visibility(customer_ids: Collection[str]) -> Visibility:
    """An incident that names customers is for them; one that names none is for everyone.

    Pure, so that the incidents verbs apply it when a caller names no visibility;
    `app.audience` states it to the rest of the code under the same name."""
    return Visibility.CUSTOMERS if customer_ids else Visibility.PUBLIC


class UpdateState(StrEnum):
    DRAFT = "draft"  # being written; nobody outside the team sees it
    SUBMITTED = "submitted"  # waiting in the approval queue
    REJECTED = "rejected"  # sent back to its author with a reason
    RETIRED = "retired"  # overtaken: other words went out for its moment; kept, never sent
    PUBLISHED = "published"  # approved words, visible to the incident's audience


class UpdateAction(StrEnum):
    """What can happen to an update; each moves it to a state or is refused."""

    EDIT = "edit"  # its writer changes a draft's words (a rejected draft becomes a draft again)
    AMEND = "amend"  # words changed where they stand, keeping their state
    SUBMIT = "submit"  # into the approval queue
    APPROVE = "approve"  # a reviewer lets queued words out
    REJECT = "reject"  # back to its author, with a reason
    PUBLISH = "publish"  # out to its readers: straight from a draft, or once approved
    RETIRE = "retire"  # out of the queue for good, overtaken by words already published


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

# An update's moves: draft -> submitted -> published (approved) or rejected -> draft again.
# A draft may also be published at once by someone who may skip the queue. Words waiting in
# the queue wait as the reviewer sees them; published words stay published, and may only be
# amended where they stand.
_UPDATE_MOVES: dict[UpdateState, dict[UpdateAction, UpdateState]] = {
    UpdateState.DRAFT: {
        UpdateAction.EDIT: UpdateState.DRAFT,
        UpdateAction.AMEND: UpdateState.DRAFT,
        UpdateAction.SUBMIT: UpdateState.SUBMITTED,
        UpdateAction.PUBLISH: UpdateState.PUBLISHED,
        UpdateAction.RETIRE: UpdateState.RETIRED,
    },
    UpdateState.REJECTED: {
        UpdateAction.EDIT: UpdateState.DRAFT,
        UpdateAction.AMEND: UpdateState.REJECTED,
        UpdateAction.SUBMIT: UpdateState.SUBMITTED,
        UpdateAction.RETIRE: UpdateState.RETIRED,
    },
    UpdateState.SUBMITTED: {
        UpdateAction.APPROVE: UpdateState.PUBLISHED,
        UpdateAction.REJECT: UpdateState.REJECTED,
        UpdateAction.PUBLISH: UpdateState.PUBLISHED,
        UpdateAction.RETIRE: UpdateState.RETIRED,
    },
    # A retired draft's words stay on the record; its writer copies them to use them again.
    UpdateState.RETIRED: {},
    UpdateState.PUBLISHED: {UpdateAction.AMEND: UpdateState.PUBLISHED},
}


def _update_refusal(current: UpdateState, action: UpdateAction) -> str:
    if current is UpdateState.RETIRED:
        return (
            "this draft was retired: other words went out for its moment; copy it into a new "
            "draft to use its words"
        )
    if action in (UpdateAction.EDIT, UpdateAction.AMEND):
        return f"a {current} update cannot be edited; only drafts can"
    if action is UpdateAction.SUBMIT:
        return f"this update is already {current}"
    if action in (UpdateAction.APPROVE, UpdateAction.REJECT):
        return f"this update is {current}, not waiting for review"
    if current is UpdateState.PUBLISHED:
        return "this update is already published"
    return f"a {current} update cannot be published; submit it for review"


def may_move_update(current: str, action: UpdateAction) -> bool:
    return action in _UPDATE_MOVES[UpdateState(current)]


def next_update_state(current: str, action: UpdateAction) -> UpdateState:
    """The state `action` moves an update in state `current` to, or a 409 saying why not."""
    moves = _UPDATE_MOVES[UpdateState(current)]
    if action not in moves:
        raise Conflict(_update_refusal(UpdateState(current), action), field="state")
    return moves[action]


# An update's status beyond the lifecycle: the written follow-up of a resolved incident. The
# incident itself stays resolved; the postmortem is words on its timeline (Statuspage shows
# such an incident with the status `postmortem`).
POSTMORTEM = "postmortem"

FINAL_STATUSES = frozenset(
    {IncidentStatus.RESOLVED.value, MaintenanceStatus.COMPLETED.value, POSTMORTEM}
)
OPEN_STATUSES = frozenset({s.value for s in (*IncidentStatus, *MaintenanceStatus)} - FINAL_STATUSES)


def statuses_for(kind: IncidentKind) -> list[str]:
    enum = IncidentStatus if kind is IncidentKind.INCIDENT else MaintenanceStatus
    return [s.value for s in enum]


def update_statuses_for(kind: IncidentKind) -> list[str]:
    """The statuses an update may carry: the lifecycle's, and for an incident its postmortem."""
    extra = [POSTMORTEM] if kind is IncidentKind.INCIDENT else []
    return statuses_for(kind) + extra


def check_update_status(kind: IncidentKind, current: str, new: str) -> None:
    """Raise unless an update with status `new` may go on a timeline now at `current`: a
    lifecycle move, or a postmortem once an incident is resolved."""
    if new != POSTMORTEM:
        check_transition(kind, current, new)
        return
    if kind is not IncidentKind.INCIDENT:
        raise InvalidTransition("only an incident has a postmortem", field="status")
    if current != IncidentStatus.RESOLVED:
        raise InvalidTransition(
            f"a postmortem follows a resolved incident; this one is {current}", field="status"
        )


def check_words_status(kind: IncidentKind, current: str, words: str) -> None:
    """Raise unless words with status `words` may go out now that the incident is at
    `current`: words written while it was open may not say "investigating" (or any status
    before the end) once it is resolved or completed."""
    if current in FINAL_STATUSES and words in OPEN_STATUSES:
        raise InvalidTransition(
            f"this {kind.value} is already {current}: words saying “{status_label(words)}” "
            f"would reopen it on the page; set these words to {current}"
            + (" or postmortem" if kind is IncidentKind.INCIDENT else "")
            + ", or open a new incident for a new problem",
            field="status",
        )
    check_update_status(kind, current, words)


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


def status_label(status: str) -> str:
    """A status or impact as people read it: `partial_outage` -> "Partial outage"."""
    return status.replace("_", " ").capitalize()
