"""Desk sessions for the admin pages (`/admin/...`), kept server-side, and CSRF tokens.

The session cookie holds only a random token. Signing in stores the token's SHA-256 in
`admin_sessions` with the user and an expiry (12 hours); every `/admin` request looks the
row up together with its user, so the role is the user's role as it is now, and a session
of a removed user, a signed-out session or one ended by a password change opens nothing.
Nothing in the cookie is trusted, so knowing the server's secret key does not let anyone
make a session. Only `/admin` paths read the cookie (its Path is `/admin` too), so the JSON
API keeps needing a Bearer key and a cookie can never drive it cross-site.

A visitor who is not signed in gets a token too (not stored): the sign-in form's CSRF token
is derived from it. Every admin form carries `_csrf`, an HMAC of the session's token under
the secret key (scripts send it as `X-CSRF-Token`). `refuse_forged_forms`, a guard of the
whole app, refuses every POST, PUT, PATCH and DELETE without the right one, unless the route
is one of `CSRF_EXEMPT`, the one list of routes that carry their own proof. A new route is
covered without saying so. The token changes at sign-in and sign-out, so a form token from
before does not carry over, and a token planted before sign-in is not the session.

(Litestar's server-side sessions keep an opaque blob per key in a key-value store; the desk
needs to find and end every session of one user, and to read the user on each request, so
the sessions are rows of the app's own database, shared by every process.)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.accounts.service import SESSION_LIFETIME, session_user
from app.lib.errors import PermissionDenied
from app.settings import Settings

COOKIE = "tidings_admin"
DEVICE_COOKIE = "tidings_device"  # proof of a past sign-in on this browser (see signin.py)
PREFIX = "/admin"
SIGN_IN = "/admin/sign-in"
LIFETIME = int(SESSION_LIFETIME.total_seconds())
DEVICE_LIFETIME = 365 * 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def cookie(settings: Settings, token: str) -> Cookie:
    return Cookie(
        key=COOKIE,
        value=token,
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=LIFETIME,
    )


def device_cookie(settings: Settings, value: str) -> Cookie:
    return Cookie(
        key=DEVICE_COOKIE,
        value=value,
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=DEVICE_LIFETIME,
    )


def csrf_token(settings: Settings, token: str) -> str:
    return hmac.new(
        settings.secret_key.encode(), f"csrf:{token}".encode(), hashlib.sha256
    ).hexdigest()[:40]


def current_token(request: Request) -> str:
    """The session token of this `/admin` request (signed in or not); "" elsewhere."""
    return str(request.scope.get("state", {}).get("session_token") or "")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The routes whose unsafe methods need no desk CSRF token, and why: every other POST, PUT,
# PATCH and DELETE does. Keys are path templates; one ending in `*` covers every route under
# it. Only `/admin` requests carry the desk session, so a route outside `/admin` that is not
# listed here refuses every unsafe request.
_KEYS_ONLY = (
    "authenticated by an API key in `Authorization`, which a browser never adds to a "
    "cross-site request; the desk cookie (Path /admin) never reaches it nor is read there"
)
CSRF_EXEMPT: dict[str, str] = {
    "/api/*": "the team's JSON API and inbound alerts: " + _KEYS_ONLY,
    "/v1/*": "the Statuspage Manage API: " + _KEYS_ONLY,
    "/subscribe": "public form, no session: an address gets mail only after confirming",
    "/c/{token}/subscribe": "the same form on a customer's page",
    "/subscribe/sms": "public form, no session: a number gets updates only once it confirms",
    "/c/{token}/subscribe/sms": "the same form on a customer's page",
    "/subscribe/sms/code": "the code texted to the number is the proof (attempts limited)",
    "/c/{token}/subscribe/sms/code": "the same for a customer's subscriber",
    "/subscribe/test": "public form: a test card to a URL the visitor typed, with its limits",
    "/c/{token}/subscribe/test": "the same button on a customer's page",
    "/incidents/{incident_id}/follow": "public form, no session: double opt-in like /subscribe",
    "/c/{token}/incidents/{incident_id}/follow": "the same form on a customer's page",
    "/subscribe/confirm/{link}": "the signed link mailed to the address is the proof",
    "/c/{token}/subscribe/confirm/{link}": "the same link for a customer's subscriber",
    "/subscription/{link}": "the signed preferences link mailed to the subscriber",
    "/unsubscribe/{link}": "the signed link; RFC 8058 one-click POSTs come without cookies",
    "/hooks/bounces/*": "mail providers' webhooks, no session: each proves its sender (SNS's "
    "signature, Postmark's Basic auth, Mailgun's HMAC) and changes nothing otherwise",
    "/hooks/twilio/sms": "replies to our SMS number: Twilio's signature over them is the proof",
}
_EXEMPT_PREFIXES = tuple(key[:-1] for key in CSRF_EXEMPT if key.endswith("*"))


def csrf_exempt(path_template: str) -> bool:
    return path_template in CSRF_EXEMPT or path_template.startswith(_EXEMPT_PREFIXES)


async def refuse_forged_forms(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """The app's CSRF guard: an unsafe request needs the desk session's token (form field
    `_csrf` or header `X-CSRF-Token`) unless its route is in `CSRF_EXEMPT`."""
    if connection.scope.get("method", "GET") in SAFE_METHODS:
        return
    if csrf_exempt(connection.scope.get("path_template", "")):
        return
    sent = connection.headers.get("x-csrf-token") or ""
    if not sent and isinstance(connection, Request):
        sent = str((await connection.form()).get("_csrf") or "")
    token = str(connection.scope.get("state", {}).get("session_token") or "")
    expected = csrf_token(connection.app.state.settings, token) if token else ""
    if not expected or not hmac.compare_digest(sent, expected):
        raise PermissionDenied("this form has expired or did not come from us; reload and retry")


def cookie_value(scope: Scope, name: str) -> str | None:
    for header, value in scope.get("headers", []):
        if header == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == name:
                    return val.strip('"')
    return None


class SessionMiddleware:
    """Reads the desk session of `/admin` requests from the database; signed-out page views
    go to sign-in."""

    def __init__(
        self, app: ASGIApp, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        self.app = app
        self.settings = settings
        self.sessionmaker = sessionmaker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        raw = cookie_value(scope, COOKIE)
        fresh = raw is None or not _TOKEN.fullmatch(raw)
        token = new_token() if fresh else str(raw)
        state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["session_token"] = token
        if not fresh:
            async with self.sessionmaker() as db:
                user = await session_user(db, token)
                await db.commit()  # last_seen_at
            if user is not None:
                state["session_actor"] = Actor.for_user(
                    user.id, username=user.username, role=Role(user.role)
                )
                state["session_user_id"] = user.id
        set_cookie = cookie(self.settings, token).to_header(header="") if fresh else None

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
