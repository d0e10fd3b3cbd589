"""Signing in and out of the admin pages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts.admin import admin_page, safe_next
from app.accounts.service import authenticate_user
from app.accounts.session import check_csrf, cookie, new_session
from app.lib.ratelimit import FailureCounter
from app.web.deps import AppSettings, Db


def _failed_sign_ins(request: Request) -> FailureCounter:
    """Failed sign-ins per user name and per client, kept for this process's lifetime."""
    state = request.app.state
    if not hasattr(state, "failed_sign_ins"):
        state.failed_sign_ins = FailureCounter(limit=10, window=15 * 60)
    return state.failed_sign_ins  # type: ignore[no-any-return]


class SignInPages(Controller):
    path = "/admin"
    include_in_schema = False
    before_request = check_csrf

    @get("/sign-in")
    async def sign_in_form(self, request: Request) -> Response[Any]:
        return admin_page(
            request, "admin/sign_in.html", next=safe_next(request.query_params.get("next"))
        )

    @post("/sign-in")
    async def sign_in(self, request: Request, db: Db, settings: AppSettings) -> Response[Any]:
        form = await request.form()
        username = str(form.get("username", ""))
        target = safe_next(str(form.get("next", "")))
        failures = _failed_sign_ins(request)
        client = request.client.host if request.client else "unknown"
        if failures.blocked(f"user:{username.strip().lower()}") or failures.blocked(
            f"client:{client}"
        ):
            return admin_page(
                request,
                "admin/sign_in.html",
                status_code=429,
                next=target,
                username=username,
                error="Too many failed sign-ins; wait a few minutes and try again.",
            )
        user = await authenticate_user(
            db, username=username, password=str(form.get("password", ""))
        )
        if user is None:
            failures.record(f"user:{username.strip().lower()}")
            failures.record(f"client:{client}")
            return admin_page(
                request,
                "admin/sign_in.html",
                status_code=401,
                next=target,
                username=str(form.get("username", "")),
                error="That user name and password do not match.",
            )
        # A new nonce at sign-in: a session (and CSRF token) planted before does not carry over.
        return Redirect(
            target,
            status_code=303,
            cookies=[cookie(settings, new_session(user.username, user.role))],
        )

    @post("/sign-out")
    async def sign_out(self, settings: AppSettings) -> Redirect:
        return Redirect(
            "/admin/sign-in?notice=Signed+out.",
            status_code=303,
            cookies=[cookie(settings, new_session())],
        )
