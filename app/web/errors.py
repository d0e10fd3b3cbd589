"""One mapping from errors to answers, with a rendering chosen per route.

`failure_of` is the mapping: the `DomainError` family, Litestar's own HTTP and validation
errors, and the database's refusals become a status and a sentence for the reader; anything
unexpected is logged and answers 500 (no catch-all hides a bug behind "Unknown").
`on_error` renders that failure the way the route speaks: a route (or its router) may name
its rendering in `opt[RENDERING]`, as the Statuspage Manage API does; every other answer is
problem+json for the API and an error page for people.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from app.lib import translations
from app.lib.errors import DomainError
from app.lib.translations import N_
from app.web.page_language import reader_language

log = logging.getLogger("tidings.web")

_TITLES = {
    400: N_("Bad request"),
    401: N_("Not authenticated"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid input"),
    429: N_("Too many requests"),
    500: N_("Internal server error"),
}

CANNOT_STORE = (
    "a value in the request cannot be stored (for example a NUL character or a number out of range)"
)
_RACE = "this conflicts with a change made at the same time; retry"
_OURS = "something went wrong on our side; it has been logged"


@dataclass(frozen=True)
class Failure:
    """What went wrong, before it is rendered: a status, a sentence written for the reader,
    details a rendering may add (`field`, `errors`), and headers to send (`Allow`, ...)."""

    status: int
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


Rendering = Callable[[Request, Failure], Response[Any]]

# The key of a route's `opt` that names how its errors are rendered.
RENDERING = "error_rendering"


def refused_value(exc: DBAPIError) -> bool:
    """Did the database refuse a value (SQLSTATE class 22: a NUL character, a number out of
    range), rather than fail? asyncpg's errors reach us wrapped as a plain DBAPIError."""
    if isinstance(exc, DataError):
        return True
    cause: BaseException | None = exc.orig
    while cause is not None:
        if getattr(cause, "sqlstate", "") and str(cause.sqlstate).startswith("22"):  # type: ignore[attr-defined]
            return True
        if isinstance(cause, OverflowError):
            return True
        cause = cause.__cause__
    return False


def _validation_failure(exc: ValidationException) -> Failure:
    errors = exc.extra if isinstance(exc.extra, list) else []
    parts = []
    for error in errors:
        key = error.get("key")
        message = error.get("message", "is invalid")
        parts.append(f"{key}: {message}" if key else message)
    detail = "; ".join(parts) or str(exc.detail)
    if "Failed to decode" in detail or "malformed" in detail.lower():
        detail = f"the body is not valid JSON ({detail})"
    return Failure(422, detail, {"errors": errors or None})


def failure_of(request: Request, exc: Exception) -> Failure:
    """The one mapping from an exception to what the reader is told."""
    if isinstance(exc, DomainError):
        return Failure(exc.status_code, exc.message, {"field": exc.field})
    if isinstance(exc, ValidationException):
        return _validation_failure(exc)
    if isinstance(exc, HTTPException):
        return Failure(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
    if isinstance(exc, IntegrityError):
        # Two writers raced on a unique value (a name, an idempotency key): the second loses.
        log.info("integrity error on %s: %s", request.url.path, exc.orig)
        return Failure(409, _RACE)
    if isinstance(exc, DBAPIError) and refused_value(exc):
        # The database refused a value the request carried: bad input, not our fault.
        log.info("refused value on %s: %s", request.url.path, exc.orig)
        return Failure(422, CANNOT_STORE)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Failure(500, _OURS)


def wants_html(request: Request) -> bool:
    path = request.url.path
    if "/api/" in path or path.startswith(("/v1/", "/schema")) or path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def problem(request: Request, status: int, detail: str, **extra: Any) -> Response[Any]:
    """An error answer: an HTML page for a browser, problem+json for everyone else."""
    title = _TITLES.get(status, "Error")
    if wants_html(request):
        # The desk stays English; an outside reader gets the page's frame in their language
        # (the sentence itself is the service's, in English).
        language = (
            "en"
            if request.url.path.startswith("/admin")
            else reader_language(request, request.app.state.settings)
        )
        html = request.app.state.renderer.render(
            "error.html",
            status=status,
            title=translations.gettext(language, title),
            # A refusal written whole is in the catalogue; one naming a value stays as is.
            detail=translations.gettext(language, detail),
            language=language,
        )
        return Response(
            html,
            status_code=status,
            media_type=MediaType.HTML,
            headers={"Content-Language": language, "Vary": "Accept-Language, Cookie"},
        )
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Response(body, status_code=status, media_type="application/problem+json")


def problem_or_page(request: Request, failure: Failure) -> Response[Any]:
    """The rendering of our own API and pages."""
    response = problem(request, failure.status, failure.detail, **failure.extra)
    response.headers.update(failure.headers)
    return response


def on_error(request: Request, exc: Exception) -> Response[Any]:
    """Map the error once, then render it as the route asks (no route matched: our own)."""
    handler = request.scope.get("route_handler")
    rendering: Rendering = (
        handler.opt.get(RENDERING, problem_or_page) if handler else problem_or_page
    )
    return rendering(request, failure_of(request, exc))


EXCEPTION_HANDLERS: dict[Any, Any] = {Exception: on_error}
