"""Writing and reading the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    incident_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        incident_id=incident_id,
        detail=detail or {},
    )
    session.add(event)
    return event


async def note(
    session: AsyncSession,
    actor: str,
    action: str,
    subject: tuple[str, str],
    detail: dict[str, Any] | None = None,
    *,
    incident_id: str | None = None,
) -> AuditEvent:
    """`record` on one line: `await note(session, actor.name, "group.create", ("group", id))`."""
    return await record(
        session,
        actor=actor,
        action=action,
        subject_type=subject[0],
        subject_id=subject[1],
        incident_id=incident_id,
        detail=detail,
    )


async def list_events(
    session: AsyncSession, *, incident_id: str | None = None, limit: int = 200
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id).limit(limit)
    if incident_id is not None:
        query = query.where(AuditEvent.incident_id == incident_id)
    return list((await session.scalars(query)).all())
