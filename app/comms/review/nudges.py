"""Nudges before next-update promises break: the worker's periodic check.

A published update promises readers the next one by a time (`Incident.next_update_at`).
A few minutes before that time (`TIDINGS_NUDGE_BEFORE_MINUTES`), and again once it has
passed, the team is told: each comms lead with an address by email, and the team's own
Slack or Teams channel where one is set. The nudges go through the outbox like everything
sent, so a crash loses none; one row per promise and kind in `comms_promise_nudges`,
written in the same transaction as their outbox rows, makes each nudge once however many
workers check at the same moment. An incident whose updates are paused on purpose is not
nudged until the pause ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.comms.models import Pause, PromiseNudge
from app.comms.wording.promises import overdue_since
from app.db.changes import mark_changed
from app.delivery.nudges import DUE_SOON, LAPSED
from app.delivery.outbox import enqueue_promise_nudge
from app.incidents.models import Incident
from app.incidents.status import OPEN_STATUSES
from app.lib.clock import as_utc, utcnow
from app.lib.ids import new_id


@dataclass(frozen=True)
class Nudged:
    incident_id: str
    due_at: datetime
    kind: str
    queued: int  # outbox rows written


async def _first_to_nudge(
    session: AsyncSession, *, incident_id: str, due_at: datetime, kind: str, now: datetime
) -> bool:
    """Record the nudge; False when it was recorded before (here or by another worker:
    on PostgreSQL the second insert waits for the first to commit, then writes nothing)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(PromiseNudge)
        .values(id=new_id(), incident_id=incident_id, due_at=due_at, kind=kind, created_at=now)
        .on_conflict_do_nothing(index_elements=["incident_id", "due_at", "kind"])
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def check_promises(
    session: AsyncSession,
    *,
    before: timedelta,
    team_channels: list[str],
    now: datetime | None = None,
) -> list[Nudged]:
    """Nudge the team about each open incident whose promise comes due within `before`
    (or has lapsed), once per promise and kind. Flushes; the caller commits."""
    now = now or utcnow()
    incidents = list(
        await session.scalars(
            select(Incident).where(
                Incident.next_update_at.is_not(None),
                Incident.next_update_at <= now + before,
                Incident.status.in_(OPEN_STATUSES),
                Incident.declined_at.is_(None),
            )
        )
    )
    if not incidents:
        return []
    pauses = {
        p.incident_id: p
        for p in await session.scalars(
            select(Pause).where(Pause.incident_id.in_([i.id for i in incidents]))
        )
    }
    done = []
    for incident in incidents:
        assert incident.next_update_at is not None
        due = as_utc(incident.next_update_at)
        pause = pauses.get(incident.id)
        if pause is not None and as_utc(pause.resume_at) > now:
            continue  # quiet on purpose, and the desk says why
        kind = LAPSED if overdue_since(incident, None, now) is not None else DUE_SOON
        if kind == DUE_SOON and before <= timedelta(0):
            continue
        if not await _first_to_nudge(
            session, incident_id=incident.id, due_at=due, kind=kind, now=now
        ):
            continue
        queued = await enqueue_promise_nudge(
            session, incident=incident, due_at=due, kind=kind, team_channels=team_channels
        )
        done.append(Nudged(incident.id, due, kind, queued))
    for lapsed in (n for n in done if n.kind == LAPSED):
        # The pages now say an update is late: a change of time, not of state, that every
        # process's cache and the static copy must still hear of.
        await mark_changed(session, incident_id=lapsed.incident_id)
    await session.flush()
    return done
