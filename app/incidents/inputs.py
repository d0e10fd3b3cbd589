"""Reading what a writer sends for an incident or an update: titles, bodies, times, and
which facts an edit really changes."""

from __future__ import annotations

from datetime import datetime

from app.incidents.models import Incident
from app.incidents.schemas import IncidentUpdate
from app.lib.clock import as_utc
from app.lib.errors import InvalidInput

MAX_BODY = 20_000


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("title must not be blank", field="title")
    if len(title) > 300:
        raise InvalidInput("title must be at most 300 characters", field="title")
    return title


def clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput("body must not be blank", field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"body must be at most {MAX_BODY} characters", field="body")
    return body


def aware(value: datetime | None, field: str) -> datetime | None:
    """`value` in UTC; a time without a zone is refused rather than guessed."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise InvalidInput(
            f"{field} must carry a time zone (e.g. 2026-11-29T10:00:00Z)", field=field
        )
    return as_utc(value)


def changed_facts(incident: Incident, data: IncidentUpdate) -> set[str]:
    """Which of the incident's facts `data` really changes (component statuses aside: a
    new status for a component already listed is not a change of who reads the words)."""
    changed = set()
    if data.title is not None and clean_title(data.title) != incident.title:
        changed.add("title")
    if data.impact is not None and data.impact.value != incident.impact:
        changed.add("impact")
    if data.visibility is not None and data.visibility.value != incident.visibility:
        changed.add("visibility")
    if data.customers is not None and set(data.customers) != set(incident.customer_ids):
        changed.add("customers")
    if data.components is not None:
        if {a.id for a in data.components} != set(incident.component_ids):
            changed.add("components")
        else:
            changed.add("component statuses")
    if data.scheduled_for is not None or data.scheduled_until is not None:
        changed.add("schedule")
    return changed
