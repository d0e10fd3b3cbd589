"""Rendering what outsiders read: one function per page, from a snapshot to bytes.

Each `render_*` builds its context with a plain function (so tests can call it) and turns
it into a `Rendered` the cache keeps. A missing or invisible thing raises NotFound, which
is never cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app import audience as aud
from app.audience import affected_customer_ids
from app.components.status import ComponentStatus
from app.customers.models import Customer
from app.incidents.models import Incident
from app.lib.clock import in_zone, utcnow
from app.lib.errors import NotFound
from app.lib.languages import LANGUAGES
from app.lib.templating import Renderer
from app.public.cache import Rendered
from app.public.front_page import status_page
from app.public.incident_page import component_histories
from app.public.snapshot import Snapshot, UnknownToken
from app.public.views import (
    IncidentView,
    component_statuses,
    update_status_words,
    visible_incidents,
)
from app.public.words import PageWords
from app.settings import Settings

HTML = "text/html; charset=utf-8"
JSON = "application/json"
HISTORY_MONTHS_PER_PAGE = 3


@dataclass(frozen=True)
class Reader:
    """Who is reading and under which URL prefix: the public at `/`, a customer at `/c/<token>`."""

    audience: aud.Audience
    customer: Customer | None
    prefix: str

    @property
    def customer_name(self) -> str | None:
        return self.customer.name if self.customer else None


def reader_for(snapshot: Snapshot, token: str | None) -> Reader:
    if token is None:
        return Reader(aud.PUBLIC, None, "")
    customer = snapshot.customers_by_token.get(token)
    if customer is None:
        raise UnknownToken("there is no status page at this address")
    return Reader(aud.for_customer(customer.id), customer, f"/c/{token}")


def customer_language(snapshot: Snapshot, token: str | None) -> str | None:
    """The language of the customer whose page `token` opens (None: the public's page, an
    unknown token, or a customer without one)."""
    customer = snapshot.customers_by_token.get(token) if token is not None else None
    return customer.language if customer is not None else None


def page_frame(
    settings: Settings, *, prefix: str, customer_name: str | None, language: str, path: str
) -> dict[str, Any]:
    """What every outside page's frame shows: names, links, the zone, and its language
    (`path` is the page's own address, which the language switch and `hreflang` links
    repeat with `?lang=`)."""
    return {
        "page_name": settings.page_name,
        "prefix": prefix,
        "customer_name": customer_name,
        "base_url": settings.base_url,
        "time_zone": settings.time_zone,
        "language": language,
        "languages": LANGUAGES,
        "page_path": path,
        "update_status_words": update_status_words,
        # How each update's words are shown in the page's language.
        "page_words": PageWords(site_language=settings.language),
    }


def _page_globals(settings: Settings, reader: Reader, language: str, path: str) -> dict[str, Any]:
    return page_frame(
        settings,
        prefix=reader.prefix,
        customer_name=reader.customer_name,
        language=language,
        path=reader.prefix + path,
    )


def index_context(
    snapshot: Snapshot, reader: Reader, settings: Settings, language: str
) -> dict[str, Any]:
    page = status_page(
        snapshot, reader.audience, zone=settings.zone, customer_name=reader.customer_name
    )
    return {
        **_page_globals(settings, reader, language, "/"),
        "page": page,
        "now": snapshot.taken_at,
    }


def render_index(
    renderer: Renderer, snapshot: Snapshot, reader: Reader, settings: Settings, language: str
) -> Rendered:
    context = index_context(snapshot, reader, settings, language)
    return Rendered.of(renderer.render("index.html", **context), HTML, language=language)


async def incident_view(
    snapshot: Snapshot, session: AsyncSession, reader: Reader, incident_id: str
) -> IncidentView:
    views = {v.id: v for v in visible_incidents(snapshot, reader.audience)}
    if incident_id in views:
        return views[incident_id]
    # Older than the snapshot's window: read it once for this version.
    incident = await session.get(Incident, incident_id, options=[selectinload(Incident.updates)])
    if incident is not None and incident.id not in {i.id for i in snapshot.incidents}:
        older = snapshot_with(snapshot, [incident])
        for view in visible_incidents(older, reader.audience):
            return view
    raise NotFound("there is no incident with this id on this page")


def snapshot_with(snapshot: Snapshot, incidents: list[Incident]) -> Snapshot:
    affected = {i.id: affected_customer_ids(i, snapshot.components_by_customer) for i in incidents}
    return Snapshot(
        version=snapshot.version,
        taken_at=snapshot.taken_at,
        groups=snapshot.groups,
        components=snapshot.components,
        customers_by_token=snapshot.customers_by_token,
        components_by_customer=snapshot.components_by_customer,
        incidents=incidents,
        affected=affected,
    )


async def render_incident(
    renderer: Renderer,
    snapshot: Snapshot,
    session: AsyncSession,
    reader: Reader,
    settings: Settings,
    incident_id: str,
    language: str,
) -> Rendered:
    view = await incident_view(snapshot, session, reader, incident_id)
    context = incident_context(snapshot, reader, settings, view, language)
    return Rendered.of(renderer.render("incident.html", **context), HTML, language=language)


def incident_context(
    snapshot: Snapshot,
    reader: Reader,
    settings: Settings,
    view: IncidentView,
    language: str,
    statuses: dict[str, ComponentStatus] | None = None,
) -> dict[str, Any]:
    """`statuses`: each component's status for this reader now, when the caller has them
    (rendering many pages of one snapshot), else worked out here."""
    # A component's status now is shown on the pages of recent incidents only (those the
    # snapshot holds): an incident of years ago does not change with today's status, so a
    # status change rewrites a bounded number of pages of the static copy.
    current: dict[str, ComponentStatus] = {}
    if view.id in snapshot.incident_ids:
        current = statuses or component_statuses(
            snapshot, visible_incidents(snapshot, reader.audience)
        )
    return {
        **_page_globals(settings, reader, language, f"/incidents/{view.id}"),
        "view": view,
        "histories": component_histories(view, current),
        # Following ends when it resolves, so only something still to come can be followed.
        "followable": view.is_ongoing or (view.is_maintenance and not view.has_begun),
        "now": snapshot.taken_at,
    }


def _this_month(zone: tzinfo, now: datetime) -> datetime:
    return now.astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def history_page_of(started_at: datetime, zone: tzinfo, now: datetime) -> int:
    """The history page (1 = the newest) that lists an incident started at `started_at`."""
    this, started = _this_month(zone, now), in_zone(started_at, zone)
    months_back = (this.year - started.year) * 12 + this.month - started.month
    return max(months_back, 0) // HISTORY_MONTHS_PER_PAGE + 1


async def history_context(
    snapshot: Snapshot,
    session: AsyncSession,
    reader: Reader,
    settings: Settings,
    page: int,
    language: str,
) -> dict[str, Any]:
    """Past incidents by month, three months a page, newest first."""
    zone = settings.zone
    first_month = _add_months(_this_month(zone, utcnow()), -HISTORY_MONTHS_PER_PAGE * (page - 1))
    months = [_add_months(first_month, -n) for n in range(HISTORY_MONTHS_PER_PAGE)]
    start, end = months[-1], _add_months(first_month, 1)
    incidents = list(
        (
            await session.scalars(
                select(Incident)
                .options(selectinload(Incident.updates))
                .where(Incident.started_at >= start, Incident.started_at < end)
                .order_by(Incident.started_at.desc())
            )
        ).all()
    )
    views = visible_incidents(snapshot_with(snapshot, incidents), reader.audience)
    by_month: list[tuple[datetime, list[IncidentView]]] = [
        (m, [v for v in views if _same_month(in_zone(v.incident.started_at, zone), m)])
        for m in months
    ]
    older_exists = (
        await session.scalar(select(Incident.id).where(Incident.started_at < start).limit(1))
        is not None
    )
    return {
        **_page_globals(settings, reader, language, "/history" + _page_query(page)),
        "months": by_month,
        "page_number": page,
        "has_newer": page > 1,
        "has_older": older_exists,
        "now": snapshot.taken_at,
    }


def _page_query(page: int) -> str:
    return f"?page={page}" if page > 1 else ""


def _add_months(value: datetime, months: int) -> datetime:
    index = value.year * 12 + value.month - 1 + months
    return value.replace(year=index // 12, month=index % 12 + 1, day=1)


def _same_month(value: datetime, month: datetime) -> bool:
    return value.year == month.year and value.month == month.month


async def render_history(
    renderer: Renderer,
    snapshot: Snapshot,
    session: AsyncSession,
    reader: Reader,
    settings: Settings,
    page: int,
    language: str,
) -> Rendered:
    context = await history_context(snapshot, session, reader, settings, page, language)
    return Rendered.of(renderer.render("history.html", **context), HTML, language=language)
