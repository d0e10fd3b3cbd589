"""When an incident's moments happened, and when its readers hear from us next: pure rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.incidents.models import Incident
from app.incidents.status import Impact, IncidentStatus, MaintenanceStatus


def default_next_update_at(incident: Incident, now: datetime) -> datetime | None:
    """When customers hear from us next, unless the writer said: sooner for bigger impact.

    A scheduled maintenance that has not started promises nothing (its window is the promise).
    """
    if incident.status == MaintenanceStatus.SCHEDULED:
        return None
    minutes = 30 if incident.impact in (Impact.MAJOR, Impact.CRITICAL) else 120
    return now + timedelta(minutes=minutes)


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
