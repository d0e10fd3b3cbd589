"""The Statuspage-compatible status API v2 (wire-formats.md §1): the six list endpoints
beside `summary.json` and `status.json`, for the public and for each customer.

Every answer is rendered once per state version and served from the page cache. The lists
of the 50 most recent incidents or maintenances may reach past the snapshot's 90 days; they
read the older ones from the database on a cache miss, once per version.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.incidents.models import Incident
from app.incidents.status import FINAL_STATUSES, IncidentKind, is_open
from app.lib.clock import as_utc
from app.public.cache import Rendered
from app.public.http import serve
from app.public.render import Reader, json_rendering, page_object, reader_for, snapshot_with
from app.public.snapshot import WINDOW_DAYS, Snapshot
from app.public.views import IncidentView, StatusPage, status_page, visible_incidents
from app.settings import Settings, page_id_for
from app.statuspage import shapes
from app.web.deps import AppSettings

RECENT_LIMIT = 50
_OLDER_BATCH = 200


def _started(view: IncidentView) -> datetime:
    return as_utc(view.incident.started_at)


async def recent_views(
    snapshot: Snapshot,
    session: AsyncSession,
    reader: Reader,
    kind: IncidentKind,
    limit: int = RECENT_LIMIT,
) -> list[IncidentView]:
    """The `limit` most recent incidents (or maintenances) this reader may see, newest
    first, always including every open one (Statuspage's `incidents.json` rule)."""
    views = [v for v in visible_incidents(snapshot, reader.audience) if v.incident.kind == kind]
    open_views = [v for v in views if is_open(v.incident.status)]
    closed = [v for v in views if not is_open(v.incident.status)]
    wanted = max(0, limit - len(open_views))
    if len(closed) < wanted:
        closed += await _older_closed_views(snapshot, session, reader, kind, wanted - len(closed))
    closed.sort(key=_started, reverse=True)
    return sorted(open_views + closed[:wanted], key=_started, reverse=True)


async def _older_closed_views(
    snapshot: Snapshot, session: AsyncSession, reader: Reader, kind: IncidentKind, wanted: int
) -> list[IncidentView]:
    """Closed ones older than the snapshot's window, read in batches until enough are visible."""
    known = {i.id for i in snapshot.incidents}
    since = snapshot.taken_at - timedelta(days=WINDOW_DAYS + 1)
    found: list[IncidentView] = []
    offset = 0
    while len(found) < wanted:
        batch = list(
            (
                await session.scalars(
                    select(Incident)
                    .options(selectinload(Incident.updates))
                    .where(
                        Incident.kind == kind.value,
                        Incident.status.in_(FINAL_STATUSES),
                        Incident.started_at < since,
                    )
                    .order_by(Incident.started_at.desc(), Incident.id)
                    .limit(_OLDER_BATCH)
                    .offset(offset)
                )
            ).all()
        )
        fresh = [i for i in batch if i.id not in known]
        found += visible_incidents(snapshot_with(snapshot, fresh), reader.audience)
        if len(batch) < _OLDER_BATCH:
            break
        offset += _OLDER_BATCH
    return found[:wanted]


def _page(snapshot: Snapshot, reader: Reader, settings: Settings) -> StatusPage:
    return status_page(snapshot, reader.audience, zone=settings.zone)


def _incident_list(
    views: list[IncidentView], page: StatusPage, reader: Reader, settings: Settings
) -> list[dict[str, Any]]:
    statuses = shapes.component_status_map(page)
    page_id = page_id_for(settings)
    base_url = settings.base_url + reader.prefix
    return [shapes.incident_object(v, statuses, page_id=page_id, base_url=base_url) for v in views]


def render_components(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    page = _page(snapshot, reader, settings)
    return json_rendering(
        {
            "page": page_object(snapshot, settings, reader),
            "components": shapes.components_list(
                page, snapshot.groups, page_id=page_id_for(settings)
            ),
        }
    )


async def render_incidents(
    snapshot: Snapshot, session: AsyncSession, reader: Reader, settings: Settings
) -> Rendered:
    views = await recent_views(snapshot, session, reader, IncidentKind.INCIDENT)
    page = _page(snapshot, reader, settings)
    return json_rendering(
        {
            "page": page_object(snapshot, settings, reader),
            "incidents": _incident_list(views, page, reader, settings),
        }
    )


def render_unresolved(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    page = _page(snapshot, reader, settings)
    return json_rendering(
        {
            "page": page_object(snapshot, settings, reader),
            "incidents": _incident_list(page.open_incidents, page, reader, settings),
        }
    )


async def render_maintenances(
    snapshot: Snapshot, session: AsyncSession, reader: Reader, settings: Settings
) -> Rendered:
    views = await recent_views(snapshot, session, reader, IncidentKind.MAINTENANCE)
    page = _page(snapshot, reader, settings)
    return json_rendering(
        {
            "page": page_object(snapshot, settings, reader),
            "scheduled_maintenances": _incident_list(views, page, reader, settings),
        }
    )


def render_upcoming(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    page = _page(snapshot, reader, settings)
    return json_rendering(
        {
            "page": page_object(snapshot, settings, reader),
            "scheduled_maintenances": _incident_list(
                page.upcoming_maintenance, page, reader, settings
            ),
        }
    )


def render_active(snapshot: Snapshot, reader: Reader, settings: Settings) -> Rendered:
    page = _page(snapshot, reader, settings)  # active = in progress or verifying
    return json_rendering(
        {
            "page": page_object(snapshot, settings, reader),
            "scheduled_maintenances": _incident_list(
                page.active_maintenance, page, reader, settings
            ),
        }
    )


SyncRender = Callable[[Snapshot, Reader, Settings], Rendered]
DbRender = Callable[[Snapshot, AsyncSession, Reader, Settings], Awaitable[Rendered]]


async def _serve_sync(
    request: Request, settings: Settings, token: str | None, name: str, fn: SyncRender
) -> Response[Any]:
    async def build(snapshot: Snapshot, _session: AsyncSession) -> Rendered:
        return fn(snapshot, reader_for(snapshot, token), settings)

    return await serve(request, (token, name), build, private=token is not None, cors=token is None)


async def _serve_db(
    request: Request, settings: Settings, token: str | None, name: str, fn: DbRender
) -> Response[Any]:
    async def build(snapshot: Snapshot, session: AsyncSession) -> Rendered:
        return await fn(snapshot, session, reader_for(snapshot, token), settings)

    return await serve(request, (token, name), build, private=token is not None, cors=token is None)


# The public endpoints a browser widget may read from another origin.
PUBLIC_V2_PATHS = [
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
]

_PUBLIC_V2 = frozenset(PUBLIC_V2_PATHS)
_V2 = {"include_in_schema": True, "tags": ["status (v2)"]}


def cors_preflight(app: ASGIApp) -> ASGIApp:
    """Answer the CORS preflight of the public status JSON: any origin may GET it, without
    credentials. Customer pages (`/c/<token>/...`) get no CORS: their token is a secret."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "OPTIONS"
            or scope["path"] not in _PUBLIC_V2
        ):
            await app(scope, receive, send)
            return
        asked = dict(scope["headers"]).get(b"access-control-request-headers", b"")
        headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-methods", b"GET, OPTIONS"),
            (b"access-control-max-age", b"86400"),
            (b"allow", b"GET, OPTIONS"),
        ]
        if asked:
            headers.append((b"access-control-allow-headers", asked))
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    return middleware


class PublicStatusApi(Controller):
    path = "/api/v2"
    include_in_schema = False

    @get("/components.json", **_V2)
    async def components(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await _serve_sync(request, settings, None, "components.json", render_components)

    @get("/incidents.json", **_V2)
    async def incidents(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await _serve_db(request, settings, None, "incidents.json", render_incidents)

    @get("/incidents/unresolved.json", **_V2)
    async def unresolved(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await _serve_sync(request, settings, None, "unresolved.json", render_unresolved)

    @get("/scheduled-maintenances.json", **_V2)
    async def maintenances(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await _serve_db(request, settings, None, "maintenances.json", render_maintenances)

    @get("/scheduled-maintenances/upcoming.json", **_V2)
    async def upcoming(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await _serve_sync(request, settings, None, "upcoming.json", render_upcoming)

    @get("/scheduled-maintenances/active.json", **_V2)
    async def active(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await _serve_sync(request, settings, None, "active.json", render_active)


class CustomerStatusApi(Controller):
    """The same for one customer's view; private, and no CORS: the token is a secret."""

    path = "/c/{token:str}/api/v2"
    include_in_schema = False

    @get("/components.json")
    async def components(
        self, request: Request, settings: AppSettings, token: str
    ) -> Response[Any]:
        return await _serve_sync(request, settings, token, "components.json", render_components)

    @get("/incidents.json")
    async def incidents(self, request: Request, settings: AppSettings, token: str) -> Response[Any]:
        return await _serve_db(request, settings, token, "incidents.json", render_incidents)

    @get("/incidents/unresolved.json")
    async def unresolved(
        self, request: Request, settings: AppSettings, token: str
    ) -> Response[Any]:
        return await _serve_sync(request, settings, token, "unresolved.json", render_unresolved)

    @get("/scheduled-maintenances.json")
    async def maintenances(
        self, request: Request, settings: AppSettings, token: str
    ) -> Response[Any]:
        return await _serve_db(request, settings, token, "maintenances.json", render_maintenances)

    @get("/scheduled-maintenances/upcoming.json")
    async def upcoming(self, request: Request, settings: AppSettings, token: str) -> Response[Any]:
        return await _serve_sync(request, settings, token, "upcoming.json", render_upcoming)

    @get("/scheduled-maintenances/active.json")
    async def active(self, request: Request, settings: AppSettings, token: str) -> Response[Any]:
        return await _serve_sync(request, settings, token, "active.json", render_active)
