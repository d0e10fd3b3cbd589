"""Gathering the facts insights are computed from: incidents, their published words, their
first alerts and the approvals of their drafts (`app.insights.metrics` does the arithmetic)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app import audience
from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.models import DraftReview, PromiseNudge
from app.incidents.models import Incident, Update
from app.incidents.status import POSTMORTEM, IncidentKind, UpdateState
from app.insights.metrics import IncidentFacts, IncidentInsights, Summary, Word, summarize
from app.insights.metrics import incident_insights as compute
from app.intake.models import AlertThread
from app.lib.clock import as_utc, utcnow

PERIOD_DAYS = 90


def _facts(
    incident: Incident,
    first_alert: datetime | None,
    approvals: list[tuple[datetime, datetime]],
    nudged: list[datetime],
) -> IncidentFacts:
    customer_facing = audience.reaches_customers(incident.visibility)
    words = [
        Word(
            at=as_utc(u.published_at),
            promised_next_by=as_utc(u.next_update_at) if u.next_update_at else None,
        )
        for u in incident.updates
        if customer_facing
        and u.state == UpdateState.PUBLISHED
        and u.published_at is not None
        and u.status != POSTMORTEM
    ]
    return IncidentFacts(
        id=incident.id,
        title=incident.title,
        declared_at=as_utc(incident.created_at),
        first_alert_at=as_utc(first_alert) if first_alert else None,
        resolved_at=as_utc(incident.resolved_at) if incident.resolved_at else None,
        words=words,
        approvals=approvals,
        nudged=nudged,
    )


async def gather(
    session: AsyncSession, *, since: datetime, incident_id: str | None = None
) -> list[IncidentFacts]:
    """The facts of every incident declared since `since` (or of one incident)."""
    query = (
        select(Incident)
        .options(selectinload(Incident.updates))
        .where(Incident.kind == IncidentKind.INCIDENT.value, Incident.declined_at.is_(None))
    )
    if incident_id is not None:
        query = query.where(Incident.id == incident_id)
    else:
        query = query.where(Incident.created_at >= since)
    incidents = list((await session.scalars(query.order_by(Incident.created_at.desc()))).all())
    ids = [i.id for i in incidents]
    if not ids:
        return []
    alerts = dict(
        (
            await session.execute(
                select(AlertThread.incident_id, func.min(AlertThread.created_at))
                .where(AlertThread.incident_id.in_(ids))
                .group_by(AlertThread.incident_id)
            )
        ).all()
    )
    approvals: dict[str, list[tuple[datetime, datetime]]] = {}
    reviewed = await session.execute(
        select(Update.incident_id, Update.created_at, DraftReview.reviewed_at)
        .join(DraftReview, DraftReview.update_id == Update.id)
        .where(
            Update.incident_id.in_(ids),
            Update.state == UpdateState.PUBLISHED.value,
            DraftReview.submitted_at.is_not(None),
            DraftReview.reviewed_at.is_not(None),
        )
    )
    for incident, drafted, approved in reviewed.all():
        approvals.setdefault(incident, []).append((as_utc(drafted), as_utc(approved)))
    nudged: dict[str, list[datetime]] = {}
    nudges = await session.execute(
        select(PromiseNudge.incident_id, PromiseNudge.due_at).where(
            PromiseNudge.incident_id.in_(ids)
        )
    )
    for incident, due in nudges.all():
        nudged.setdefault(incident, []).append(as_utc(due))
    return [
        _facts(i, alerts.get(i.id), approvals.get(i.id, []), nudged.get(i.id, []))
        for i in incidents
    ]


async def insights(
    session: AsyncSession, *, actor: Actor, days: int = PERIOD_DAYS, now: datetime | None = None
) -> tuple[Summary, list[IncidentInsights]]:
    """The figures of the last `days` days, and of each incident in them, newest first."""
    permissions.require(actor, Act.READ_INSIGHTS)
    now = now or utcnow()
    since = now - timedelta(days=days)
    rows = [compute(f, now=now) for f in await gather(session, since=since)]
    return summarize(rows, since=since, until=now), rows


async def incident_insights(
    session: AsyncSession, *, actor: Actor, incident_id: str, now: datetime | None = None
) -> IncidentInsights | None:
    """One incident's figures (None for maintenance or an incident declined as noise)."""
    permissions.require(actor, Act.READ_INSIGHTS)
    facts = await gather(session, since=datetime.min, incident_id=incident_id)
    return compute(facts[0], now=now or utcnow()) if facts else None
