"""The Statuspage-compatible status API v2: `summary.json`, `status.json` and the six
lists, for the public and for each customer.

Every answer is rendered once per state version (`app.statuspage.render`) and served from
the page cache. The public's answers are open to any origin; a customer's (under
`/c/<token>/`) are private and get no CORS, because the token is a secret.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response, Router, get
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession

from app.public.cache import Rendered
from app.public.http import serve
from app.public.render import Reader, reader_for
from app.public.snapshot import Snapshot
from app.settings import Settings
from app.statuspage import render
from app.web.deps import AppSettings

SyncRender = Callable[[Snapshot, Reader, Settings], Rendered]
DbRender = Callable[[Snapshot, AsyncSession, Reader, Settings], Awaitable[Rendered]]


def _from_snapshot(fn: SyncRender) -> DbRender:
    """A rendering that needs only the snapshot, in the shape of those that read more."""

    async def rendering(
        snapshot: Snapshot, _session: AsyncSession, reader: Reader, settings: Settings
    ) -> Rendered:
        return fn(snapshot, reader, settings)

    return rendering


# Each endpoint under `/api/v2`: its name (the OpenAPI summary and operation id come from
# it) and how its answer is rendered.
ENDPOINTS: dict[str, tuple[str, DbRender]] = {
    "/summary.json": ("summary", _from_snapshot(render.render_summary)),
    "/status.json": ("status", _from_snapshot(render.render_status)),
    "/components.json": ("components", _from_snapshot(render.render_components)),
    "/incidents.json": ("incidents", render.render_incidents),
    "/incidents/unresolved.json": ("unresolved", _from_snapshot(render.render_unresolved)),
    "/scheduled-maintenances.json": ("maintenances", render.render_maintenances),
    "/scheduled-maintenances/upcoming.json": ("upcoming", _from_snapshot(render.render_upcoming)),
    "/scheduled-maintenances/active.json": ("active", _from_snapshot(render.render_active)),
}


async def _serve(
    request: Request, settings: Settings, token: str | None, path: str, fn: DbRender
) -> Response[Any]:
    async def build(snapshot: Snapshot, session: AsyncSession) -> Rendered:
        return await fn(snapshot, session, reader_for(snapshot, token), settings)

    return await serve(request, (token, path), build, private=token is not None, cors=token is None)


def _handlers(path: str, name: str, fn: DbRender) -> tuple[HTTPRouteHandler, HTTPRouteHandler]:
    """The public and the customer handler of one endpoint."""

    async def public(request: Request, settings: AppSettings) -> Response[Any]:
        return await _serve(request, settings, None, path, fn)

    async def customer(request: Request, settings: AppSettings, token: str) -> Response[Any]:
        return await _serve(request, settings, token, path, fn)

    public.__name__ = customer.__name__ = name
    return (
        get(path, name=f"status_v2_{name}", include_in_schema=True, tags=["status (v2)"])(public),
        get(path, name=f"customer_status_v2_{name}", include_in_schema=False)(customer),
    )


_PAIRS = [_handlers(path, name, fn) for path, (name, fn) in ENDPOINTS.items()]
public_status_api = Router(path="/api/v2", route_handlers=[p for p, _ in _PAIRS])
customer_status_api = Router(path="/c/{token:str}/api/v2", route_handlers=[c for _, c in _PAIRS])

# The public endpoints a browser widget may read from another origin.
PUBLIC_V2_PATHS = ["/api/v2" + path for path in ENDPOINTS]
_PUBLIC_V2 = frozenset(PUBLIC_V2_PATHS)


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
