"""Serving a cached rendering: ETag, 304, the encoding the client accepts, and the caching
headers for each kind of reader.

Each encoding of a page has its own ETag (a cache that stored the gzip bytes must not
revalidate them against the plain ones), and `Vary: Accept-Encoding` says so to caches.

`cached_first` wraps the whole application: a GET for a URL whose rendering is in the page
cache and still fresh is answered straight from memory, without routing, dependencies or
middleware; anything else (a miss, a request with cookies or `If-Modified-Since`, another
method) goes through Litestar as before, and `serve` notes the URL for next time. The
answer is the same either way: both build it with `answer_headers`.
"""

from __future__ import annotations

from collections.abc import Hashable
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Request, Response
from litestar.types import ASGIApp, Receive, Scope, Send

from app.lib.clock import as_utc
from app.public.cache import PageCache, Rendered, RenderFn


def answer_headers(
    rendered: Rendered, accept_encoding: str | None, *, private: bool, cors: bool
) -> tuple[bytes, str, dict[str, str]]:
    """(body, ETag, headers) of the answer to a reader who accepts these encodings."""
    body, etag, encoding = rendered.for_encoding(accept_encoding)
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
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    return body, etag, headers


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
    cache.remember_url(_url_of(request.scope), key, (private, cors))
    body, etag, headers = answer_headers(
        rendered, request.headers.get("accept-encoding"), private=private, cors=cors
    )
    if _matches(request.headers.get("if-none-match"), etag):
        headers.pop("Content-Encoding", None)
        return Response(b"", status_code=304, headers=headers)
    if "if-none-match" not in request.headers and _not_modified_since(
        request.headers.get("if-modified-since"), rendered
    ):
        headers.pop("Content-Encoding", None)
        return Response(b"", status_code=304, headers=headers)
    return Response(
        body,
        status_code=rendered.status_code,
        media_type=_without_charset(rendered.media_type),
        headers=headers,
    )


def _url_of(scope: Any) -> tuple[str, bytes]:
    """The URL as routing sees it: Litestar routes `/c/x/` and `/c/x` alike."""
    path = scope["path"]
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return path, scope.get("query_string", b"")


def cached_first(app: ASGIApp, get_state: Any) -> ASGIApp:
    """Answer fresh cached pages before routing; `get_state()` is the app's state."""

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            cache: PageCache | None = getattr(get_state(), "page_cache", None)
            found = cache.for_url(_url_of(scope)) if cache is not None else None
            if found is not None:
                rendered, (private, cors) = found
                request_headers = dict(scope["headers"])
                if b"cookie" not in request_headers and b"if-modified-since" not in request_headers:
                    await _answer(scope, send, rendered, request_headers, private, cors)
                    return
        await app(scope, receive, send)

    return handler


async def _answer(
    scope: Any,
    send: Send,
    rendered: Rendered,
    request_headers: dict[bytes, bytes],
    private: bool,
    cors: bool,
) -> None:
    accept = request_headers.get(b"accept-encoding")
    body, etag, headers = answer_headers(
        rendered, accept.decode("latin-1") if accept else None, private=private, cors=cors
    )
    status = rendered.status_code
    match = request_headers.get(b"if-none-match")
    if match is not None and _matches(match.decode("latin-1"), etag):
        status, body = 304, b""
        headers.pop("Content-Encoding", None)
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if status != 304:
        raw.append((b"content-type", _with_charset(rendered.media_type).encode()))
        raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send(
        {
            "type": "http.response.body",
            "body": b"" if scope["method"] == "HEAD" else body,
            "more_body": False,
        }
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


def _with_charset(media_type: str) -> str:
    """The Content-Type Litestar sends for this rendering (it names utf-8 for text/*)."""
    if media_type.startswith("text/") and "charset" not in media_type:
        return media_type + "; charset=utf-8"
    return media_type


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
