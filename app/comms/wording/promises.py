"""Next-update promises: which open incidents owe their readers an update, and pauses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.models import Pause
from app.incidents.audit import audit
from app.incidents.models import Incident, Update
from app.incidents.service import get_incident, list_incidents
from app.incidents.status import IncidentKind, UpdateState
from app.incidents.timing import (
    DEFAULT_PROMISE_MINUTES,
    PROMISE_MINUTES,
    Promise,
    chosen_promise,
    default_promise,
)
from app.lib.clock import as_utc, in_zone, utcnow
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


# ------------------------------------------------------------------ the desk's promise picker

AT = "at"  # the picker's "at a time" choice


def minutes_label(minutes: int) -> str:
    """ "in 15 min", "in 1 h", "in 4 h"."""
    return f"in {minutes} min" if minutes < 60 or minutes % 60 else f"in {minutes // 60} h"


@dataclass(frozen=True)
class PromisePick:
    """What the desk's "next update" picker shows: its choices, the one selected, the time
    of "at a time" in the desk's zone ("HH:MM"), and which choice is the default."""

    selected: str  # minutes as text ("30") or AT; "" for `auto`
    at: str
    default: str
    default_reason: str
    # Offer "as the impact says" first (the declare form, where the impact is still chosen).
    auto: bool = False

    @property
    def by_impact(self) -> str:
        """The defaults, as the declare form explains them: "in 30 min if critical, ..."."""
        return ", ".join(
            f"{minutes_label(m)} if {impact}" for impact, m in DEFAULT_PROMISE_MINUTES.items()
        )

    @property
    def choices(self) -> list[tuple[str, str]]:
        if self.auto:
            options = [("", "as the impact says")]
            options += [(str(m), minutes_label(m)) for m in PROMISE_MINUTES]
            return [*options, (AT, "at a time")]
        options = [(str(m), minutes_label(m)) for m in PROMISE_MINUTES]
        if self.default not in {str(m) for m in PROMISE_MINUTES} | {AT}:
            options.append((self.default, minutes_label(int(self.default))))
        options.append((AT, "at a time"))
        return [
            (value, f"{label} (default)" if value == self.default else label)
            for value, label in options
        ]


def promise_pick(
    incident: Incident,
    *,
    zone: tzinfo,
    now: datetime | None = None,
    draft: Update | None = None,
    selected: str = "",
    at: str = "",
    auto: bool = False,
) -> PromisePick:
    """The picker for words on `incident`: preselecting what the form last said
    (`selected`, `at`), else the draft's own choice, else the default for the incident."""
    now = now or utcnow()
    default = default_promise(incident, now)
    if default.at is not None:
        default_value, reason = AT, "the window's end"
        default_at = in_zone(default.at, zone).strftime("%H:%M")
    else:
        default_value, reason = str(default.minutes), f"{incident.impact} impact"
        default_at = ""
    if not selected and draft is not None:
        if draft.promise_minutes is not None:
            selected = str(draft.promise_minutes)
        elif draft.next_update_at is not None and as_utc(draft.next_update_at) > now:
            selected, at = AT, in_zone(draft.next_update_at, zone).strftime("%H:%M")
    return PromisePick(
        selected=selected or ("" if auto else default_value),
        at=at or default_at,
        default=default_value,
        default_reason=reason,
        auto=auto,
    )


def promise_from_form(
    form: Mapping[str, Any], *, zone: tzinfo, now: datetime | None = None
) -> Promise | None:
    """The promise a desk form chose ("promise": minutes or "at", with "promise_at" as
    HH:MM in the desk's zone, the next such moment); None when the form has no picker."""
    choice = str(form.get("promise") or "").strip()
    if not choice:
        return None
    now = now or utcnow()
    if choice != AT:
        try:
            minutes = int(choice)
        except ValueError:
            raise InvalidInput("choose when the next update comes", field="promise") from None
        return chosen_promise(minutes=minutes, at=None, now=now, field="next_update")
    raw = str(form.get("promise_at") or "").strip()
    try:
        clock = time.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("give the time of the next update (HH:MM)", field="promise_at") from None
    local_now = in_zone(now, zone)
    at = datetime.combine(local_now.date(), clock.replace(tzinfo=None), tzinfo=zone)
    if at <= local_now:
        at += timedelta(days=1)  # 00:30 chosen at 23:50 is tomorrow's
    return Promise(at=as_utc(at))


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


def overdue_since(incident: Incident, pause: Pause | None, now: datetime) -> datetime | None:
    """Since when `incident`'s promised update is late (None: it is not, or the team paused
    updates on purpose and the pause still runs)."""
    if pause is not None and as_utc(pause.resume_at) > now:
        return None
    due = incident.next_update_at
    if due is None or as_utc(due) >= now or incident.resolved_at is not None:
        return None
    return as_utc(due)


async def overdue(
    session: AsyncSession, incident: Incident, now: datetime | None = None
) -> datetime | None:
    """`overdue_since` for one incident, reading its pause."""
    return overdue_since(incident, await session.get(Pause, incident.id), now or utcnow())


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
        overdue = overdue_since(incident, pause, now) is not None
        drafts = sum(1 for u in incident.updates if u.state == UpdateState.SUBMITTED)
        rows.append(DeskRow(incident, overdue, pause, drafts))
    rows.sort(key=lambda r: (not r.overdue, r.pause is None, -r.incident.started_at.timestamp()))
    return rows
