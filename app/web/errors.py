"""One mapping from errors to answers: problem+json for the API, an error page for people.

No catch-all hides a bug behind "Unknown": anything unexpected is logged and answers 500.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from app.lib.errors import DomainError

log = logging.getLogger("tidings.web")

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
}


def wants_html(request: Request) -> bool:
    path = request.url.path
    if "/api/" in path or path.startswith(("/v1/", "/schema")) or path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def problem(request: Request, status: int, detail: str, **extra: Any) -> Response[Any]:
    """An error answer: an HTML page for a browser, problem+json for everyone else."""
    title = _TITLES.get(status, "Error")
    if wants_html(request):
        renderer = request.app.state.renderer
        html = renderer.render("error.html", status=status, title=title, detail=detail)
        return Response(html, status_code=status, media_type=MediaType.HTML)
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Response(body, status_code=status, media_type="application/problem+json")


def _validation_detail(exc: ValidationException) -> tuple[str, list[dict[str, Any]]]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    parts = []
    for error in errors:
        key = error.get("key")
        message = error.get("message", "is invalid")
        parts.append(f"{key}: {message}" if key else message)
    detail = "; ".join(parts) or str(exc.detail)
    if "Failed to decode" in detail or "malformed" in detail.lower():
        detail = f"the body is not valid JSON ({detail})"
    return detail, errors


def on_domain_error(request: Request, exc: DomainError) -> Response[Any]:
    return problem(request, exc.status_code, exc.message, field=exc.field)


def on_validation_error(request: Request, exc: ValidationException) -> Response[Any]:
    detail, errors = _validation_detail(exc)
    return problem(request, 422, detail, errors=errors or None)


def on_http_error(request: Request, exc: HTTPException) -> Response[Any]:
    response = problem(request, exc.status_code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def on_integrity_error(request: Request, exc: IntegrityError) -> Response[Any]:
    # Two writers raced on a unique value (a name, an idempotency key): the second loses.
    log.info("integrity error on %s: %s", request.url.path, exc.orig)
    return problem(request, 409, "this conflicts with a change made at the same time; retry")


CANNOT_STORE = (
    "a value in the request cannot be stored (for example a NUL character or a number out of range)"
)


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


def on_database_error(request: Request, exc: DBAPIError) -> Response[Any]:
    if refused_value(exc):
        # The database refused a value the request carried: bad input, not our fault.
        log.info("refused value on %s: %s", request.url.path, exc.orig)
        return problem(request, 422, CANNOT_STORE)
    return on_unexpected(request, exc)


def on_unexpected(request: Request, exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, 500, "something went wrong on our side; it has been logged")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: on_domain_error,
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
    IntegrityError: on_integrity_error,
    DBAPIError: on_database_error,
    Exception: on_unexpected,
}
