"""One line per act in the audit log: who did what to which incident, update or thing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.audit.service import note
from app.incidents.models import Incident, Update

# An incident, an update, or any other subject as (type, id), e.g. ("template", t.id).
Subject = Incident | Update | tuple[str, str]


async def audit(
    session: AsyncSession,
    actor: Actor,
    action: str,
    subject: Subject,
    detail: dict[str, Any] | None = None,
    *,
    incident_id: str | None = None,
) -> None:
    """Record `action` by `actor` on `subject`; an update's or incident's entry is filed
    under its incident, so the incident's history shows it."""
    if isinstance(subject, Incident):
        kind, subject_id, incident_id = "incident", subject.id, subject.id
    elif isinstance(subject, Update):
        kind, subject_id, incident_id = "update", subject.id, subject.incident_id
    else:
        kind, subject_id = subject
    await note(session, actor.name, action, (kind, subject_id), detail, incident_id=incident_id)
