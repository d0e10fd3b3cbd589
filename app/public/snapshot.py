"""Everything outsiders may read, loaded once per state version.

A snapshot holds the components, the customers (by page token) and the incidents that the
front pages, the summary JSON and the feeds need: those still open, those of the last 90
days, and upcoming maintenance. Views for each audience are cut from it in memory by
`app.public.views`, so reading a page does not query the database.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.audience import affected_customer_ids
from app.components.models import Component, ComponentGroup
from app.customers.models import Customer
from app.customers.service import components_by_customer
from app.incidents.models import Incident
from app.incidents.status import OPEN_STATUSES
from app.lib.clock import as_utc, utcnow
from app.lib.errors import NotFound

WINDOW_DAYS = 90


class UnknownToken(NotFound):
    """No customer page has this token in the snapshot (the cache asks the database)."""


async def customer_token_exists(session: AsyncSession, token: str | None) -> bool:
    if not token:
        return False
    found = await session.scalar(select(Customer.id).where(Customer.token == token).limit(1))
    return found is not None


@dataclass
class Snapshot:
    version: int
    taken_at: datetime
    groups: list[ComponentGroup]
    components: list[Component]
    customers_by_token: dict[str, Customer]
    components_by_customer: dict[str, set[str]]
    incidents: list[Incident]  # newest first
    affected: dict[str, set[str]] = field(default_factory=dict)  # incident id -> customer ids
    # What pages derive from this state alone, made once (`front_page.status_page`).
    made: dict[Hashable, object] = field(default_factory=dict, repr=False, compare=False)

    @functools.cached_property
    def incident_ids(self) -> frozenset[str]:
        return frozenset(i.id for i in self.incidents)

    def next_lapse(self, now: datetime) -> datetime | None:
        """The soonest promised update still ahead of `now`: at that moment a page showing
        the promise turns to saying the update is late, with no change of state."""
        due = [
            as_utc(i.next_update_at)
            for i in self.incidents
            if i.next_update_at is not None and i.resolved_at is None
        ]
        return min((d for d in due if d > now), default=None)


def recent_ids(since: datetime):  # type: ignore[no-untyped-def]
    """The ids of open incidents and those of the window. Three indexed lookups joined by
    UNION: an OR across columns would scan the whole history, and the page must not slow as
    it grows."""
    return union(
        select(Incident.id).where(Incident.status.in_(OPEN_STATUSES)),
        select(Incident.id).where(Incident.started_at >= since),
        select(Incident.id).where(Incident.resolved_at >= since),
    )


def window_start(now: datetime) -> datetime:
    """The oldest moment the snapshot holds incidents from (a day more than the window)."""
    return now - timedelta(days=WINDOW_DAYS + 1)


def recent_incidents_query(since: datetime):  # type: ignore[no-untyped-def]
    """Open incidents and those of the window, with their updates, newest first."""
    wanted = recent_ids(since)
    return (
        select(Incident)
        .options(selectinload(Incident.updates))
        .where(Incident.id.in_(wanted))
        .order_by(Incident.started_at.desc(), Incident.id)
    )


def open_incidents_query():  # type: ignore[no-untyped-def]
    """Open incidents and maintenance, with their updates: all that makes a component's
    status now worse than its own (one indexed lookup, whatever the history's length)."""
    return (
        select(Incident)
        .options(selectinload(Incident.updates))
        .where(Incident.status.in_(sorted(OPEN_STATUSES)))
        .order_by(Incident.started_at.desc(), Incident.id)
    )


async def load_snapshot(
    session: AsyncSession, *, version: int, open_only: bool = False
) -> Snapshot:
    """The state outsiders may read. `open_only`: only the open incidents, enough for the
    components' statuses now (the API and the desk ask for those on every read)."""
    now = utcnow()
    groups = list(
        (
            await session.scalars(
                select(ComponentGroup).order_by(ComponentGroup.position, ComponentGroup.name)
            )
        ).all()
    )
    components = list(
        (
            await session.scalars(select(Component).order_by(Component.position, Component.name))
        ).all()
    )
    customers = list((await session.scalars(select(Customer))).all())
    usage = await components_by_customer(session)
    query = open_incidents_query() if open_only else recent_incidents_query(window_start(now))
    incidents = list((await session.scalars(query)).all())
    affected = {i.id: affected_customer_ids(i, usage) for i in incidents}
    return Snapshot(
        version=version,
        taken_at=now,
        groups=groups,
        components=components,
        customers_by_token={c.token: c for c in customers},
        components_by_customer=usage,
        incidents=incidents,
        affected=affected,
    )
