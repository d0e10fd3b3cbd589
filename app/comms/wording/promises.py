"""Next-update promises: which open incidents owe their readers an update, and pauses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.models import Pause
from app.incidents.audit import audit
from app.incidents.models import Incident
from app.incidents.service import get_incident, list_incidents
from app.incidents.status import IncidentKind, UpdateState
from app.lib.clock import as_utc, utcnow
from app.lib.errors import InvalidInput, NotFound
from app.lib.times_in_words import say

# Words drafted from a template say "next update by {{ next_update }}": the time is filled in
# once, when the words are published, from the same moment the page's header shows. Until
# then the draft (and the template text it is compared with) carries these marks, so a
# slow approval neither leaves a stale time in the words nor shows a fake edit in the diff.
PROMISE_AT = "{{ next_update }}"
PROMISE_IN = "{{ next_update_in }}"
_AT = re.compile(r"\{\{\s*next_update(?:_at)?\s*\}\}")
_IN = re.compile(r"\{\{\s*next_update_in\s*\}\}")


def has_promise_mark(body: str) -> bool:
    return bool(_AT.search(body) or _IN.search(body))


def promise_words(
    body: str, *, next_update_at: datetime | None, now: datetime, zone: tzinfo
) -> str:
    """`body` with its promise marks resolved to `next_update_at` (in the site's zone);
    with no promise (a resolved incident), the marks read "soon"."""
    if next_update_at is None:
        at = within = "soon"
    else:
        at = say(next_update_at, zone)
        minutes = max(0, round((as_utc(next_update_at) - now).total_seconds() / 60))
        within = f"{minutes} minutes" if minutes < 90 else f"{round(minutes / 60, 1):g} hours"
    return _IN.sub(within, _AT.sub(at, body))


async def pause_incident(
    session: AsyncSession, *, actor: Actor, incident_id: str, reason: str, resume_at: datetime
) -> Pause:
    """Stop the overdue alarm on purpose until `resume_at`, saying why."""
    permissions.require(actor, Act.PAUSE_PROMISES)
    incident = await get_incident(session, incident_id)
    if not reason.strip():
        raise InvalidInput("say why updates pause", field="reason")
    if resume_at.tzinfo is None:
        raise InvalidInput("resume_at must carry a time zone", field="resume_at")
    if resume_at <= utcnow():
        raise InvalidInput("resume_at must be in the future", field="resume_at")
    pause = await session.get(Pause, incident.id) or Pause(incident_id=incident.id)
    session.add(pause)
    pause.reason, pause.resume_at = reason.strip(), as_utc(resume_at)
    pause.paused_by, pause.paused_at = actor.name, utcnow()
    await session.flush()
    detail = {"reason": pause.reason, "resume_at": pause.resume_at.isoformat()}
    await audit(session, actor, "incident.pause", incident, detail)
    return pause


async def resume_incident(session: AsyncSession, *, actor: Actor, incident_id: str) -> None:
    """End a pause now: the promised time counts again."""
    permissions.require(actor, Act.PAUSE_PROMISES)
    pause = await session.get(Pause, incident_id)
    if pause is None:
        raise NotFound("this incident is not paused")
    await session.delete(pause)
    subject = ("incident", incident_id)
    await audit(session, actor, "incident.resume", subject, incident_id=incident_id)
    await session.flush()


@dataclass
class DeskRow:
    incident: Incident
    overdue: bool
    pause: Pause | None
    drafts: int


async def desk(session: AsyncSession, *, now: datetime | None = None) -> list[DeskRow]:
    """Open incidents, those whose promised update is overdue first, then paused ones."""
    now = now or utcnow()
    incidents = await list_incidents(session, open_only=True, limit=200)
    incidents += await list_incidents(
        session, kind=IncidentKind.MAINTENANCE, open_only=True, limit=200
    )
    seen = {i.id: i for i in incidents}
    pauses = {
        p.incident_id: p
        for p in (await session.scalars(select(Pause).where(Pause.incident_id.in_(seen)))).all()
    }
    rows = []
    for incident in seen.values():
        pause = pauses.get(incident.id)
        if pause is not None and as_utc(pause.resume_at) <= now:
            pause = None  # the pause ran out: the promise counts again
        overdue = (
            pause is None
            and incident.next_update_at is not None
            and as_utc(incident.next_update_at) < now
        )
        drafts = sum(1 for u in incident.updates if u.state == UpdateState.SUBMITTED)
        rows.append(DeskRow(incident, overdue, pause, drafts))
    rows.sort(key=lambda r: (not r.overdue, r.pause is None, -r.incident.started_at.timestamp()))
    return rows
