"""Serving a cached rendering: ETag, 304, the encoding the client accepts, and the caching
headers for each kind of reader.

Each encoding of a page has its own ETag (a cache that stored the gzip bytes must not
revalidate them against the plain ones), and `Vary: Accept-Encoding` says so to caches."""

from __future__ import annotations

from collections.abc import Hashable
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Request, Response

from app.lib.clock import as_utc
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
    body, etag, encoding = rendered.for_encoding(request.headers.get("accept-encoding"))
    headers = {
        "ETag": etag,
        # Browsers revalidate every time (cheap: a 304 from memory), so a publish shows up
        # on the very next request; customer pages must not sit in shared caches.
        "Cache-Control": ("private" if private else "public") + ", no-cache",
        "Vary": "Accept-Encoding",
    }
    if cors:
        headers["Access-Control-Allow-Origin"] = "*"
    if rendered.last_modified is not None:
        headers["Last-Modified"] = format_datetime(as_utc(rendered.last_modified), usegmt=True)
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers)
    if "if-none-match" not in request.headers and _not_modified_since(
        request.headers.get("if-modified-since"), rendered
    ):
        return Response(b"", status_code=304, headers=headers)
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    return Response(
        body,
        status_code=rendered.status_code,
        media_type=_without_charset(rendered.media_type),
        headers=headers,
    )


def _matches(header: str | None, etag: str) -> bool:
    """`If-None-Match` names this ETag (a list, weak or strong, or `*`)."""
    if not header:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def _without_charset(media_type: str) -> str:
    """Litestar appends `; charset=utf-8` to every `text/*` type itself; a rendering that
    names its charset already would otherwise say it twice."""
    if media_type.startswith("text/"):
        return media_type.split(";", 1)[0].strip()
    return media_type


def _not_modified_since(value: str | None, rendered: Rendered) -> bool:
    """`If-Modified-Since` (only used by clients that sent no ETag) covers this version."""
    if not value or rendered.last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return as_utc(rendered.last_modified).replace(microsecond=0) <= since
