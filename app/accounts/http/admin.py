"""Shared plumbing of the admin pages: rendering with the layout's context, redirects.

Admin handlers (the app guards their forms against CSRF, see `accounts.http.session`) render with
`admin_page`, which gives every template `me` (the signed-in actor), `csrf` (the form token),
`page_name`, and `notice`/`error` messages carried in the query string after a redirect.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request, Response
from litestar.response import Redirect

from app.accounts.http.session import csrf_token, current_token
from app.lib.languages import LANGUAGES


def admin_page(
    request: Request, page: str, *, status_code: int = 200, **context: Any
) -> Response[str]:
    settings = request.app.state.settings
    token = current_token(request)
    base = {
        "me": request.scope.get("state", {}).get("session_actor"),
        "csrf": csrf_token(settings, token) if token else "",
        "page_name": settings.page_name,
        "notice": request.query_params.get("notice", ""),
        "error": request.query_params.get("error", ""),
        "path": request.url.path,
        # The desk is written in English whatever the site's language (dates included).
        "language": "en",
        # What the draft forms and the queue offer and show an update's languages by.
        "site_language": settings.language,
        "languages": LANGUAGES,
    }
    html = request.app.state.renderer.render(page, **{**base, **context})
    return Response(html, status_code=status_code, media_type=MediaType.HTML)


def back(url: str, *, notice: str = "", error: str = "", anchor: str = "") -> Redirect:
    """303 to `url`, carrying a one-line message to show there."""
    query = {k: v for k, v in {"notice": notice, "error": error}.items() if v}
    sep = "&" if "?" in url else "?"
    target = url + (sep + urlencode(query) if query else "") + (f"#{anchor}" if anchor else "")
    return Redirect(target, status_code=303)


def safe_next(value: str | None) -> str:
    """Only ever redirect back inside the admin pages after sign-in (no open redirect)."""
    if value and value.startswith("/admin") and not value.startswith("//"):
        return value
    return "/admin"
