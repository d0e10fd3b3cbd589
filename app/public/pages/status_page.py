"""What outsiders read: the status pages (their Statuspage JSON is in `app.statuspage`).

The same handlers serve the public (`/...`) and each customer (`/c/<token>/...`); the
token only chooses the audience. Every answer comes from the page cache.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.lib.paths import STATIC
from app.public import render
from app.public.http import serve
from app.public.snapshot import Snapshot
from app.web.deps import AppSettings, Db
from app.web.page_language import reader_language


def _renderer(request: Request) -> Any:
    return request.app.state.renderer


async def _language(request: Request, settings: AppSettings, token: str | None) -> str:
    """The page's language, decided before the cache is asked (it is part of the key)."""
    cache = request.app.state.page_cache
    return reader_language(
        request,
        settings,
        customer_language=render.customer_language(await cache.current_snapshot(), token),
    )


async def index(request: Request, settings: AppSettings, token: str | None) -> Response[Any]:
    language = await _language(request, settings, token)

    async def build(snapshot: Snapshot, _session: AsyncSession) -> render.Rendered:
        return render.render_index(
            _renderer(request), snapshot, render.reader_for(snapshot, token), settings, language
        )

    return await serve(
        request, (token, "index"), build, private=token is not None, language=language
    )


async def incident(
    request: Request, settings: AppSettings, token: str | None, incident_id: str
) -> Response[Any]:
    language = await _language(request, settings, token)

    async def build(snapshot: Snapshot, session: AsyncSession) -> render.Rendered:
        return await render.render_incident(
            _renderer(request),
            snapshot,
            session,
            render.reader_for(snapshot, token),
            settings,
            incident_id,
            language,
        )

    return await serve(
        request,
        (token, "incident", incident_id),
        build,
        private=token is not None,
        language=language,
    )


async def history(
    request: Request, settings: AppSettings, token: str | None, page: int
) -> Response[Any]:
    language = await _language(request, settings, token)

    async def build(snapshot: Snapshot, session: AsyncSession) -> render.Rendered:
        return await render.render_history(
            _renderer(request),
            snapshot,
            session,
            render.reader_for(snapshot, token),
            settings,
            page,
            language,
        )

    return await serve(
        request, (token, "history", page), build, private=token is not None, language=language
    )


_PAGE = QueryParameter(name="page", default=1, ge=1, le=1000)


class PublicPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await index(request, settings, None)

    @get("/incidents/{incident_id:str}")
    async def incident(
        self, request: Request, settings: AppSettings, incident_id: str
    ) -> Response[Any]:
        return await incident(request, settings, None, incident_id)

    @get("/history")
    async def history(
        self, request: Request, settings: AppSettings, page: int = _PAGE
    ) -> Response[Any]:
        return await history(request, settings, None, page)


class CustomerPages(Controller):
    path = "/c/{token:str}"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, settings: AppSettings, token: str) -> Response[Any]:
        return await index(request, settings, token)

    @get("/incidents/{incident_id:str}")
    async def incident(
        self, request: Request, settings: AppSettings, token: str, incident_id: str
    ) -> Response[Any]:
        return await incident(request, settings, token, incident_id)

    @get("/history")
    async def history(
        self, request: Request, settings: AppSettings, token: str, page: int = _PAGE
    ) -> Response[Any]:
        return await history(request, settings, token, page)


@get("/favicon.ico", include_in_schema=False)
async def favicon(request: Request) -> Response[bytes]:
    """The theme's icon (`favicon` in theme.toml), else Tidings' own."""
    renderer = _renderer(request)
    name = str(renderer.theme_meta.get("favicon") or "favicon.ico")
    path = renderer.theme_dir / name
    if not path.is_file():
        path = STATIC / "favicon.ico"
    return Response(
        path.read_bytes(),
        media_type=mimetypes.guess_type(path.name)[0] or "image/x-icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@get("/livez", include_in_schema=False)
async def livez() -> dict[str, str]:
    """The process answers; says nothing about the database."""
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(db: Db) -> Response[dict[str, str]]:
    try:
        await db.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means not ready
        return Response({"status": "unavailable", "detail": type(exc).__name__}, status_code=503)
    return Response({"status": "ok"})
