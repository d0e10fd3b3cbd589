"""Signing in and out of the admin pages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts.service import authenticate_user
from app.web.admin import admin_page, safe_next
from app.web.deps import AppSettings, Db
from app.web.session import check_csrf, cookie, new_session


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
        user = await authenticate_user(
            db, username=str(form.get("username", "")), password=str(form.get("password", ""))
        )
        target = safe_next(str(form.get("next", "")))
        if user is None:
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
