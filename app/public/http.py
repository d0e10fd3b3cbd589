"""Serving a cached rendering: ETag, 304, and the caching headers for each kind of reader."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from litestar import Request, Response

from app.public.cache import PageCache, Rendered, RenderFn


async def serve(
    request: Request,
    key: Hashable,
    render: RenderFn,
    *,
    private: bool = False,
    cors: bool = False,
) -> Response[Any]:
    cache: PageCache = request.app.state.page_cache
    rendered: Rendered = await cache.get(key, render)
    headers = {
        "ETag": rendered.etag,
        # Browsers revalidate every time (cheap: a 304 from memory), so a publish shows up
        # on the very next request; customer pages must not sit in shared caches.
        "Cache-Control": ("private" if private else "public") + ", no-cache",
        "Vary": "Accept-Encoding",
    }
    if cors:
        headers["Access-Control-Allow-Origin"] = "*"
    if request.headers.get("if-none-match") == rendered.etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(
        rendered.body,
        status_code=rendered.status_code,
        media_type=rendered.media_type,
        headers=headers,
    )
