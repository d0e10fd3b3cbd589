"""When an incident's moments happened, and when its readers hear from us next: pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.incidents.models import Incident, Update
from app.incidents.status import Impact, IncidentStatus, MaintenanceStatus, is_open
from app.lib.clock import as_utc
from app.lib.errors import InvalidInput

# The choices the desk offers for "next update in ...", in minutes.
PROMISE_MINUTES = (15, 30, 60, 240)
# How far a promise may reach, and how soon it may come (an API client may ask for any
# number of minutes in between): a day is the longest a reader should wait for news of an
# open incident, and less than five minutes is no time to write and approve words.
SOONEST_MINUTES, LATEST_MINUTES = 5, 24 * 60

# The promise made when the writer and the approver left the default, by impact. Readers
# hit hard check the page often and judge us by silence, so a critical or major incident
# promises news within half an hour (the rhythm Statuspage's and incident.io's guides
# recommend); a minor one within the hour, soon enough that nobody wonders whether we
# forgot, not so soon that the team writes "no news" every few minutes; an incident with no
# impact on readers (a notice) within four hours.
DEFAULT_PROMISE_MINUTES = {
    Impact.CRITICAL: 30,
    Impact.MAJOR: 30,
    Impact.MINOR: 60,
    Impact.NONE: 240,
}


@dataclass(frozen=True)
class Promise:
    """A next-update promise as chosen: in `minutes` (counted from publication) or `at` a
    time. Neither: the default for the incident."""

    minutes: int | None = None
    at: datetime | None = None


def promises_updates(status: str) -> bool:
    """Do words published under `status` promise a next update? Not once it is over, nor
    for a maintenance not started (its window is the promise)."""
    return is_open(status) and status != MaintenanceStatus.SCHEDULED


def default_promise_minutes(impact: str | None) -> int:
    """The default "next update in ..." for an incident of `impact` (see the table above)."""
    try:
        return DEFAULT_PROMISE_MINUTES[Impact(impact or Impact.MINOR)]
    except ValueError:
        return DEFAULT_PROMISE_MINUTES[Impact.MINOR]


def default_promise(incident: Incident, now: datetime) -> Promise:
    """What the desk's promise picker shows before anyone chose, and what publishing
    promises when nobody did: a maintenance in progress promises news at its window's end
    (its readers know the plan); anything else, a delay by impact."""
    end = incident.scheduled_until
    if incident.status == MaintenanceStatus.IN_PROGRESS and end is not None and as_utc(end) > now:
        return Promise(at=as_utc(end))
    return Promise(minutes=default_promise_minutes(incident.impact))


def default_next_update_at(incident: Incident, now: datetime) -> datetime | None:
    """When customers hear from us next, unless the writer or the approver said.

    A scheduled maintenance that has not started promises nothing (its window is the promise).
    """
    if incident.status == MaintenanceStatus.SCHEDULED:
        return None
    return promised_at(default_promise(incident, now), now)


def promised_at(promise: Promise, now: datetime) -> datetime | None:
    """The time `promise` names, for words published at `now`."""
    if promise.at is not None:
        return as_utc(promise.at)
    if promise.minutes is not None:
        return now + timedelta(minutes=promise.minutes)
    return None


def promise_when_published(update: Update, incident: Incident, now: datetime) -> datetime | None:
    """The next update words promise when published at `now`, `incident` being as the words
    leave it: "in N minutes" counted from now, else the time they carry, else the default."""
    if update.promise_minutes is not None and promises_updates(incident.status):
        return promised_at(Promise(minutes=update.promise_minutes), now)
    if update.next_update_at is None and is_open(incident.status):
        return default_next_update_at(incident, now)
    return update.next_update_at


def stamp_status(incident: Incident, status: str, now: datetime) -> None:
    """Note the moment an incident first reached `status` (identified, monitoring, ...)."""
    if status == IncidentStatus.IDENTIFIED and incident.identified_at is None:
        incident.identified_at = now
    elif status == IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = now
    elif status in (IncidentStatus.RESOLVED, MaintenanceStatus.COMPLETED):
        incident.resolved_at = now
    elif status == MaintenanceStatus.IN_PROGRESS:
        incident.started_at = now


def chosen_promise(
    *, minutes: int | None, at: datetime | None, now: datetime, field: str = "next_update"
) -> Promise | None:
    """The promise a writer or an approver chose (None: they left the default), or a 422
    saying what is wrong with it."""
    if minutes is not None and at is not None:
        raise InvalidInput(
            f"give {field}_in_minutes or {field}_at, not both", field=f"{field}_in_minutes"
        )
    if minutes is not None:
        if not SOONEST_MINUTES <= minutes <= LATEST_MINUTES:
            raise InvalidInput(
                f"{field}_in_minutes must be between {SOONEST_MINUTES} and {LATEST_MINUTES}",
                field=f"{field}_in_minutes",
            )
        return Promise(minutes=minutes)
    if at is not None:
        if at.tzinfo is None:
            raise InvalidInput(f"{field}_at must carry a time zone", field=f"{field}_at")
        if as_utc(at) <= now:
            raise InvalidInput(f"{field}_at must be in the future", field=f"{field}_at")
        return Promise(at=as_utc(at))
    return None


def promised(draft: Update) -> Promise:
    """The promise a draft carries as chosen (neither part: the default)."""
    if draft.promise_minutes is not None:
        return Promise(minutes=draft.promise_minutes)
    if draft.next_update_at is not None:
        return Promise(at=as_utc(draft.next_update_at))
    return Promise()


def keep_promise(draft: Update, promise: Promise) -> None:
    draft.promise_minutes = promise.minutes
    draft.next_update_at = promise.at


def promise_detail(promise: Promise) -> dict[str, object]:
    """A promise as the audit log keeps it."""
    if promise.minutes is not None:
        return {"next_update_in_minutes": promise.minutes}
    return {"next_update_at": promise.at.isoformat() if promise.at else None}
