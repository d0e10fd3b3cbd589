"""Signing in and out of the admin pages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts.http.admin import admin_page, back, safe_next
from app.accounts.http.session import (
    DEVICE_COOKIE,
    cookie,
    current_token,
    device_cookie,
    new_token,
)
from app.accounts.models import User
from app.accounts.permissions import Act
from app.accounts.service import end_session, start_session, update_settings
from app.accounts.signin import attempt_sign_in
from app.lib.errors import InvalidInput
from app.web.deps import AppSettings, Db


class SignInPages(Controller):
    path = "/admin"
    include_in_schema = False

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
        attempt = await attempt_sign_in(
            request.app.state.sessionmaker,
            secret=settings.secret_key,
            username=username,
            password=str(form.get("password", "")),
            client=request.client.host if request.client else "unknown",
            device_cookie=request.cookies.get(DEVICE_COOKIE),
        )
        if attempt.refused:
            return admin_page(
                request,
                "admin/sign_in.html",
                status_code=429,
                next=target,
                username=username,
                error="Too many failed sign-ins; wait a few minutes and try again "
                "(a browser you have signed in with before can still sign in).",
            )
        if attempt.user is None:
            return admin_page(
                request,
                "admin/sign_in.html",
                status_code=401,
                next=target,
                username=username,
                error="That user name and password do not match.",
            )
        # A new token at sign-in: a session (and CSRF token) planted before does not carry
        # over, and a session this browser had before ends.
        await end_session(db, current_token(request))
        token = await start_session(db, user_id=attempt.user.id)
        cookies = [cookie(settings, token)]
        if attempt.device:
            cookies.append(device_cookie(settings, attempt.device))
        return Redirect(target, status_code=303, cookies=cookies)

    @post("/sign-out", opt={"act": Act.OWN_ACCOUNT})
    async def sign_out(self, request: Request, db: Db, settings: AppSettings) -> Redirect:
        await end_session(db, current_token(request))
        return Redirect(
            "/admin/sign-in?notice=Signed+out.",
            status_code=303,
            cookies=[cookie(settings, new_token())],
        )


class SettingsPages(Controller):
    """Your settings: a desk user's own email address, and whether they are told there
    when a reviewer publishes or sends back their draft."""

    path = "/admin/settings"
    opt = {"act": Act.OWN_ACCOUNT}
    include_in_schema = False

    @get("/")
    async def settings_form(self, request: Request, db: Db) -> Response[Any]:
        user = await db.get(User, request.scope["state"]["session_user_id"])
        return admin_page(
            request,
            "admin/settings.html",
            email=(user.email if user else None) or "",
            notify_me=bool(user and user.notify_me),
        )

    @post("/")
    async def save_settings(self, request: Request, db: Db) -> Response[Any]:
        form = await request.form()
        email = str(form.get("email", "")).strip()
        notify_me = form.get("notify_me") == "on"
        try:
            await update_settings(
                db,
                user_id=request.scope["state"]["session_user_id"],
                email=email,
                notify_me=notify_me,
            )
        except InvalidInput as exc:
            return admin_page(
                request,
                "admin/settings.html",
                status_code=exc.status_code,
                email=email,
                notify_me=notify_me,
                error=str(exc),
            )
        return back("/admin/settings", notice="Settings saved.")
