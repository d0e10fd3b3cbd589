"""Every route of the app, read from its own route list, answers each kind of caller as the
permissions table says of the act the route states: no credentials, a revoked key, each
role, and a session cookie where it does not belong. Public routes are listed here by name.

A route that states no act and is not listed fails `test_every_route_states_its_act_or_is_public`.
Path parameters name things that do not exist (the guard answers before any lookup), bodies
are empty: a caller who may pass gets anything but 401/403 and never a 5xx.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.accounts import permissions
from app.accounts.models import Role
from app.accounts.permissions import Act
from app.settings import Settings, page_id_for
from tests.support.desk import csrf, sign_in

_RANK = {Role.RESPONDER: 1, Role.COMMS_LEAD: 2, Role.ADMIN: 3}

# The routes anyone may call, signed in or not: what outsiders read, the subscribe forms and
# their signed links, and the sign-in form. Every other route states the act it needs
# (`opt={"act": Act.X}`), and who may do that act is the permissions table's to say; a route
# with neither fails `test_every_route_states_its_act_or_is_public`.
PUBLIC = {
    "GET /",
    "GET /admin/sign-in",
    "POST /admin/sign-in",
    "GET /api/v2/components.json",
    "GET /api/v2/incidents.json",
    "GET /api/v2/incidents/unresolved.json",
    "GET /api/v2/scheduled-maintenances.json",
    "GET /api/v2/scheduled-maintenances/active.json",
    "GET /api/v2/scheduled-maintenances/upcoming.json",
    "GET /api/v2/status.json",
    "GET /api/v2/summary.json",
    "GET /badge.svg",
    "GET /c/{token}",
    "GET /c/{token}/api/v2/components.json",
    "GET /c/{token}/api/v2/incidents.json",
    "GET /c/{token}/api/v2/incidents/unresolved.json",
    "GET /c/{token}/api/v2/scheduled-maintenances.json",
    "GET /c/{token}/api/v2/scheduled-maintenances/active.json",
    "GET /c/{token}/api/v2/scheduled-maintenances/upcoming.json",
    "GET /c/{token}/api/v2/status.json",
    "GET /c/{token}/api/v2/summary.json",
    "GET /c/{token}/components/{component_id}/feed.atom",
    "GET /c/{token}/components/{component_id}/feed.rss",
    "GET /c/{token}/feed.atom",
    "GET /c/{token}/feed.rss",
    "GET /c/{token}/history",
    "GET /c/{token}/history.atom",
    "GET /c/{token}/history.rss",
    "GET /c/{token}/incidents/{incident_id}",
    "POST /c/{token}/incidents/{incident_id}/follow",
    "GET /c/{token}/maintenance.ics",
    "GET /c/{token}/subscribe",
    "POST /c/{token}/subscribe",
    "GET /c/{token}/subscribe/confirm/{link}",
    "POST /c/{token}/subscribe/confirm/{link}",
    "POST /c/{token}/subscribe/sms",
    "POST /c/{token}/subscribe/sms/code",
    "POST /c/{token}/subscribe/test",
    "GET /components/{component_id}/badge.svg",
    "GET /components/{component_id}/feed.atom",
    "GET /components/{component_id}/feed.rss",
    "GET /embed.js",
    "GET /favicon.ico",
    "GET /feed.atom",
    "GET /feed.rss",
    "GET /history",
    "GET /history.atom",
    "GET /history.rss",
    "POST /hooks/bounces/mailgun",
    "POST /hooks/bounces/postmark",
    "POST /hooks/bounces/ses",
    "POST /hooks/twilio/sms",
    "GET /incidents/{incident_id}",
    "POST /incidents/{incident_id}/follow",
    "GET /livez",
    "GET /maintenance.ics",
    "GET /readyz",
    "GET /schema",
    "GET /schema/elements",
    "GET /schema/oauth2-redirect.html",
    "GET /schema/openapi.json",
    "GET /schema/openapi.yaml",
    "GET /schema/openapi.yml",
    "GET /schema/rapidoc",
    "GET /schema/redoc",
    "GET /schema/swagger",
    "GET /schema/{path}",
    "GET /static/{file_path}",
    "GET /subscribe",
    "POST /subscribe",
    "GET /subscribe/confirm/{link}",
    "POST /subscribe/confirm/{link}",
    "POST /subscribe/sms",
    "POST /subscribe/sms/code",
    "POST /subscribe/test",
    "GET /subscription/{link}",
    "POST /subscription/{link}",
    "GET /theme/{file_path}",
    "GET /unsubscribe/{link}",
    "POST /unsubscribe/{link}",
}

# Public routes for machines that prove who they are their own way (a signature, Basic auth
# in the URL): open to anyone, and each refuses an empty request without its proof.
OWN_PROOF = {
    "POST /hooks/bounces/mailgun": 400,  # no signature object at all: malformed
    "POST /hooks/bounces/postmark": 401,
    "POST /hooks/bounces/ses": 400,  # no SNS envelope: malformed
}


def routes(app: Litestar) -> Iterator[tuple[str, Act | None]]:
    """ "METHOD /path/{param}" of every route of the app, with the act its guard checks."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                if method not in ("OPTIONS", "HEAD"):  # answered by Litestar for every route
                    yield f"{method} {route.path_format}", handler.opt.get("act")


def guarded(app: Litestar) -> dict[str, Role]:
    """Each guarded route and the least role its act needs, from the permissions table."""
    return {route: permissions.needs(act) for route, act in routes(app) if act is not None}


def test_every_route_states_its_act_or_is_public(app):
    found = dict(routes(app))
    unguarded = {route for route, act in found.items() if act is None}
    assert unguarded - PUBLIC == set(), "routes with no act: state one, or list them as public"
    assert PUBLIC - unguarded == set(), "public routes that are gone or now guarded: remove them"


def api_routes(app: Litestar) -> list[str]:
    return [r for r in guarded(app) if not r.split(" ", 1)[1].startswith("/admin")]


def desk_routes(app: Litestar) -> list[str]:
    # Signing out comes last: after it, a session may rightly be gone.
    found = [r for r in guarded(app) if r.split(" ", 1)[1].startswith("/admin")]
    return sorted(found, key=lambda r: r == "POST /admin/sign-out")


async def call(
    client: AsyncTestClient[Litestar], route: str, settings: Settings, headers: dict[str, str]
) -> Response:
    """One request to `route`, its parameters naming nothing that exists, its body empty."""
    method, path = route.split(" ", 1)
    path = re.sub(r"\{\w+\}", "nothing-here", path.replace("{page_id}", page_id_for(settings)))
    body: dict[str, Any] = {}
    if method in ("POST", "PATCH", "PUT"):
        body = {"data": {}} if path.startswith("/admin") else {"json": {}}
    client.cookies.clear()  # only what `headers` carries
    return await client.request(method, path, headers=headers, follow_redirects=False, **body)


def sent_to_sign_in(response: Response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/admin/sign-in")


def let_through(response: Response) -> bool:
    """Past the guard: whatever the handler then says about the (missing) thing, no 5xx."""
    refused = response.status_code in (401, 403) or sent_to_sign_in(response)
    return not refused and response.status_code < 500


def outcome(response: Response) -> str:
    where = response.headers.get("location", "")
    return f"{response.status_code}{' -> ' + where if where else ''}"


async def check_the_apis(
    app: Litestar, client: Any, settings: Settings, callers: dict[str, tuple[dict, Any]]
) -> tuple[list[str], int]:
    wrong, cells = [], 0
    needs = guarded(app)
    for route in api_routes(app):
        need = needs[route]
        for caller, (headers, expected) in callers.items():
            response = await call(client, route, settings, headers)
            cells += 1
            if expected == 401:
                ok = response.status_code == 401
            elif _RANK[expected] >= _RANK[need]:
                ok = let_through(response)
            else:
                expected, ok = 403, response.status_code == 403
            if not ok:
                wrong.append(f"{route} with {caller}: {outcome(response)}, not {expected}")
    return wrong, cells


async def check_the_desk(
    app: Litestar, client: Any, settings: Settings, callers: dict[str, tuple[dict, Any]]
) -> tuple[list[str], int]:
    wrong, cells = [], 0
    needs = guarded(app)
    for caller, (headers, role) in callers.items():
        for route in desk_routes(app):
            need = needs[route]
            response = await call(client, route, settings, headers)
            cells += 1
            if role is None:
                expected, ok = "sign-in", sent_to_sign_in(response)
            elif _RANK[role] < _RANK[need]:
                expected, ok = 403, response.status_code == 403
            elif route == "POST /admin/sign-out":
                expected, ok = "signed out", "Signed+out" in response.headers.get("location", "")
            else:
                expected, ok = "let through", let_through(response)
            if not ok:
                wrong.append(f"{route} with {caller}: {outcome(response)}, not {expected}")
    return wrong, cells


async def test_every_route_answers_every_caller_as_the_table_says(
    app, client, settings, keys, revoked_key, desk
):
    # One test for both tables: signing the three desk people in is the slow part.
    api_wrong, api_cells = await check_the_apis(
        app,
        client,
        settings,
        {
            "no credentials": ({}, 401),
            "a revoked admin key": (revoked_key, 401),
            "an admin's desk session cookie": (desk[Role.ADMIN].headers(), 401),
            **{f"a {role.value} key": (keys[role.value], role) for role in Role},
        },
    )
    tampered = desk[Role.ADMIN].cookie[:-4] + "0000"
    desk_wrong, desk_cells = await check_the_desk(
        app,
        client,
        settings,
        {
            "no session": ({}, None),
            "a cookie with a wrong signature": ({"Cookie": f"tidings_admin={tampered}"}, None),
            "an admin API key": (keys["admin"], None),
            **{f"{role.value}'s session": (desk[role].headers(), role) for role in Role},
        },
    )
    public_wrong = []
    for route in sorted(PUBLIC):
        response = await call(client, route, settings, {})
        if route in OWN_PROOF:
            if response.status_code != OWN_PROOF[route]:
                public_wrong.append(f"{route} with nothing: {outcome(response)}")
            continue
        # Anyone is let in (the sign-in form still wants its CSRF token: 403 without it).
        if response.status_code == 401 or sent_to_sign_in(response) or response.status_code >= 500:
            public_wrong.append(f"{route} with no credentials: {outcome(response)}, not public")
    assert api_wrong + desk_wrong + public_wrong == []
    # The figures in docs/security.md.
    assert (api_cells, desk_cells) == (6 * len(api_routes(app)), 6 * len(desk_routes(app)))


def forged_cookie(secret: str, user: str, role: str) -> tuple[str, str]:
    """A desk session cookie and its CSRF token, made by someone who knows the signing key
    (and not a password): base64 JSON signed with HMAC-SHA256, as the desk's cookie is."""
    nonce = "forged-nonce"
    data = {"n": nonce, "u": user, "r": role, "e": int(time.time()) + 3600}
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")
    sign = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    csrf = hmac.new(secret.encode(), f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()
    return f"{payload.decode()}.{sign}", csrf[:40]


@pytest.mark.settings(secret_key=Settings.secret_key)  # TIDINGS_SECRET_KEY left unset
async def test_a_forged_session_for_a_user_who_does_not_exist_opens_no_desk_page(
    app, client, settings
):
    cookie, csrf = forged_cookie(settings.secret_key, "ghost-nobody", "admin")
    headers = {"Cookie": f"tidings_admin={cookie}", "X-CSRF-Token": csrf}
    let_in = []
    for route in desk_routes(app):
        response = await call(client, route, settings, headers)
        if not sent_to_sign_in(response):
            let_in.append(f"{route}: {outcome(response)}")
    assert let_in == []


async def test_a_session_copied_before_signing_out_opens_no_desk_page(client, settings, users):
    await sign_in(client, "lead")
    copied = {"Cookie": f"tidings_admin={client.cookies['tidings_admin']}"}
    signed_out = await client.post(
        "/admin/sign-out", data={"_csrf": csrf((await client.get("/admin")).text)}
    )
    assert signed_out.status_code == 200 and "Signed out" in signed_out.text
    again = await call(client, "GET /admin", settings, copied)
    assert sent_to_sign_in(again), outcome(again)
