"""Which language a page is shown in, read from the request (the rule itself is
`app.lib.languages.page_language`), and the cookie that keeps a reader's choice.

A reader chooses with `?lang=xx` (the language switch's links); the choice is kept in a
plain preference cookie so the next page opens in it too. An unknown `?lang=` is ignored,
as a stale or mistyped link should still show the page, in the language it would have had.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from app.lib.languages import known_language, page_language
from app.settings import Settings

LANGUAGE_COOKIE = "tidings_language"
_A_YEAR = 365 * 24 * 3600


def chosen_language(request: Request[Any, Any, Any]) -> str | None:
    """The language this request chose with `?lang=`, when we speak it."""
    return known_language(request.query_params.get("lang"))


def asked_language(request: Request[Any, Any, Any]) -> str | None:
    """The reader's own choice: on this request, else the one their cookie remembers."""
    return chosen_language(request) or known_language(request.cookies.get(LANGUAGE_COOKIE))


def reader_language(
    request: Request[Any, Any, Any], settings: Settings, *, customer_language: str | None = None
) -> str:
    """The language of the page this request asks for."""
    return page_language(
        chosen=request.query_params.get("lang"),
        remembered=request.cookies.get(LANGUAGE_COOKIE),
        customer=customer_language,
        accept_language=request.headers.get("accept-language"),
        site=settings.language,
    )


def keep_choice(request: Request[Any, Any, Any], response: Response[Any]) -> Response[Any]:
    """Remember a `?lang=` choice in the reader's cookie (a preference, not a session)."""
    language = chosen_language(request)
    if language is not None:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=_A_YEAR,
            path="/",
            samesite="lax",
            secure=request.url.scheme == "https",
            httponly=True,
        )
    return response
