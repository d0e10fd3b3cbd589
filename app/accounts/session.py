"""Signed session cookies and CSRF tokens for the admin pages (`/admin/...`).

The cookie holds `{n: nonce, u: user name, r: role, e: expiry}` as base64 JSON, signed with
HMAC-SHA256 under `settings.secret_key`; nothing secret is in it, and it cannot be forged.
Only `/admin` paths read it (the cookie's Path is `/admin` too), so the JSON API keeps
needing a Bearer key and a cookie can never drive it cross-site.

Every admin form carries `_csrf`, an HMAC of the session's nonce; `check_csrf` (a
`before_request` hook of the admin controllers) refuses a POST without the right one. The
nonce changes at sign-in and sign-out, so a token from before does not carry over.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.lib.errors import PermissionDenied
from app.settings import Settings

COOKIE = "tidings_admin"
PREFIX = "/admin"
SIGN_IN = "/admin/sign-in"
LIFETIME = 12 * 3600


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def encode(secret: str, data: dict[str, Any]) -> str:
    # No "=" padding: a cookie value with "=" gets quoted, and quotes break the signature.
    raw = json.dumps(data, separators=(",", ":")).encode()
    payload = base64.urlsafe_b64encode(raw).rstrip(b"=")
    return f"{payload.decode()}.{_sign(secret, payload)}"


def decode(secret: str, value: str) -> dict[str, Any] | None:
    payload, _, signature = value.partition(".")
    if not hmac.compare_digest(_sign(secret, payload.encode()), signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("e", 0) < time.time():
        return None
    return data


def new_session(user: str | None = None, role: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"n": secrets.token_urlsafe(16), "e": int(time.time()) + LIFETIME}
    if user is not None:
        data["u"], data["r"] = user, role
    return data


def cookie(settings: Settings, data: dict[str, Any]) -> Cookie:
    return Cookie(
        key=COOKIE,
        value=encode(settings.secret_key, data),
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=LIFETIME,
    )


def csrf_token(settings: Settings, session: dict[str, Any]) -> str:
    return _sign(settings.secret_key, f"csrf:{session['n']}".encode())[:40]


def current_session(request: Request) -> dict[str, Any]:
    return request.scope.get("state", {}).get("session") or {}


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing admin request without the session's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    form = await request.form()
    sent = form.get("_csrf") or request.headers.get("x-csrf-token") or ""
    session = current_session(request)
    expected = csrf_token(request.app.state.settings, session) if session else ""
    if not expected or not hmac.compare_digest(str(sent), expected):
        raise PermissionDenied("this form has expired or did not come from us; reload and retry")


def _cookie_value(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == COOKIE:
                    return val.strip('"')
    return None


class SessionMiddleware:
    """Reads the admin session for `/admin` requests; signed-out page views go to sign-in."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        raw = _cookie_value(scope)
        session = decode(self.settings.secret_key, raw) if raw else None
        fresh = session is None
        if session is None:
            session = new_session()
        state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["session"] = session
        if session.get("u"):
            try:
                state["session_actor"] = Actor(name=session["u"], role=Role(session["r"]))
            except ValueError:
                session = new_session()
                state["session"], fresh = session, True
        set_cookie = cookie(self.settings, session).to_header(header="") if fresh else None

        if "session_actor" not in state and path != SIGN_IN:
            target = path + (
                "?" + scope["query_string"].decode() if scope.get("query_string") else ""
            )
            headers = [(b"location", f"{SIGN_IN}?next={quote(target)}".encode())]
            if set_cookie:
                headers.append((b"set-cookie", set_cookie.encode()))
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cookie(message: Message) -> None:
            if set_cookie and message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k == b"set-cookie" and COOKIE.encode() in v for k, v in headers):
                    headers.append((b"set-cookie", set_cookie.encode()))
                message = {**message, "headers": headers}  # type: ignore[assignment]
            await send(message)

        await self.app(scope, receive, send_with_cookie)
