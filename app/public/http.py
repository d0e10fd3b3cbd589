"""Serving a cached rendering: ETag, 304, the encoding the client accepts, and the caching
headers for each kind of reader.

Each encoding of a page has its own ETag (a cache that stored the gzip bytes must not
revalidate them against the plain ones), and `Vary: Accept-Encoding` says so to caches.

`cached_first` wraps the whole application: a GET for a URL whose rendering is in the page
cache and still fresh is answered straight from memory, without routing, dependencies or
middleware; anything else (a miss, a request with cookies or `If-Modified-Since`, another
method) goes through Litestar as before, and `serve` notes the URL for next time. The
answer is the same either way: both build it with `answer_headers`.

A page in words has a language (`app.web.page_language`): its rendering is kept per language,
says it in `Content-Language`, and `Vary: Accept-Language, Cookie` tells caches that the same
URL reads differently for another reader. Before routing, only the browser's
`Accept-Language` can choose (a cookie or a `?lang=` choice goes through the handler, which
keeps the choice), so a URL is remembered per the language that header asks for.
"""

from __future__ import annotations

from collections.abc import Hashable
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Request, Response
from litestar.types import ASGIApp, Receive, Scope, Send

from app.lib.clock import as_utc
from app.lib.languages import from_accept_language
from app.public.cache import PageCache, Rendered, RenderFn
from app.web.page_language import asked_language, chosen_language, keep_choice


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
    if rendered.language is not None:
        headers["Content-Language"] = rendered.language
        headers["Vary"] = "Accept-Encoding, Accept-Language, Cookie"
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
    language: str | None = None,
) -> Response[Any]:
    """Answer with the rendering kept under `key` (and `language`, for a page in words)."""
    cache: PageCache = request.app.state.page_cache
    if language is not None:
        key = (*key, language) if isinstance(key, tuple) else (key, language)
    rendered: Rendered = await cache.get(key, render)
    if language is None or asked_language(request) is None:
        # Answerable before routing only when the reader's own choice played no part.
        accept = request.headers.get("accept-language")
        wants = from_accept_language(accept)
        cache.remember_url(_url_of(request.scope), key, (private, cors), wants)
    # An answer that sets the reader's language cookie is theirs alone.
    private = private or chosen_language(request) is not None
    body, etag, headers = answer_headers(
        rendered, request.headers.get("accept-encoding"), private=private, cors=cors
    )
    if _matches(request.headers.get("if-none-match"), etag):
        headers.pop("Content-Encoding", None)
        return keep_choice(request, Response(b"", status_code=304, headers=headers))
    if "if-none-match" not in request.headers and _not_modified_since(
        request.headers.get("if-modified-since"), rendered
    ):
        headers.pop("Content-Encoding", None)
        return keep_choice(request, Response(b"", status_code=304, headers=headers))
    return keep_choice(
        request,
        Response(
            body,
            status_code=rendered.status_code,
            media_type=_without_charset(rendered.media_type),
            headers=headers,
        ),
    )


def _url_of(scope: Any) -> tuple[str, bytes]:
    """The URL as routing sees it: Litestar routes `/c/x/` and `/c/x` alike."""
    path = scope["path"]
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return path, scope.get("query_string", b"")


def _chooses_language(query: bytes) -> bool:
    return b"lang=" in query


def cached_first(app: ASGIApp, get_state: Any) -> ASGIApp:
    """Answer fresh cached pages before routing; `get_state()` is the app's state."""

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            cache: PageCache | None = getattr(get_state(), "page_cache", None)
            request_headers = dict(scope["headers"])
            found = None
            if cache is not None and not _chooses_language(scope.get("query_string", b"")):
                accept = request_headers.get(b"accept-language")
                wants = from_accept_language(accept.decode("latin-1") if accept else None)
                found = cache.for_url(_url_of(scope), wants)
            if found is not None:
                rendered, (private, cors) = found
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
