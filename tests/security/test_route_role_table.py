"""Every route of the team's API (/api/v1), the Manage API (/v1) and the desk (/admin), read
from the app's own route list, answers each kind of caller as the table below says: no
credentials, a revoked key, each role, and a session cookie where it does not belong.

A route missing from the table fails `test_every_route_has_a_row`: whoever adds a route says
who may call it. Path parameters name things that do not exist (the guard answers before any
lookup), bodies are empty: a caller who may pass gets anything but 401/403 and never a 5xx.
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

from app.accounts.models import Role
from app.settings import Settings, page_id_for
from tests.support.desk import csrf, sign_in

OPEN = "open"  # anyone, signed in or not (the sign-in form)
R, LEAD, ADMIN = Role.RESPONDER, Role.COMMS_LEAD, Role.ADMIN
_RANK = {R: 1, LEAD: 2, ADMIN: 3}
PREFIXES = ("/api/v1/", "/v1/", "/admin")

# Who may call each route: the lowest role that passes its guard. (What a role may then do
# with a given incident or draft is the services' to decide, tested beside them.)
TABLE: dict[str, Any] = {
    # The team's API: API keys only.
    "POST /api/v1/api-keys": ADMIN,
    "GET /api/v1/api-keys": ADMIN,
    "POST /api/v1/api-keys/{key_id}/revoke": ADMIN,
    "GET /api/v1/audit": R,
    "GET /api/v1/comms-policy": R,
    "PATCH /api/v1/comms-policy": ADMIN,
    "GET /api/v1/component-groups": R,
    "POST /api/v1/component-groups": ADMIN,
    "GET /api/v1/component-groups/{group_id}": R,
    "PATCH /api/v1/component-groups/{group_id}": ADMIN,
    "GET /api/v1/components": R,
    "POST /api/v1/components": ADMIN,
    "DELETE /api/v1/components/{component_id}": ADMIN,
    "GET /api/v1/components/{component_id}": R,
    "PATCH /api/v1/components/{component_id}": R,
    "GET /api/v1/customers": ADMIN,
    "POST /api/v1/customers": ADMIN,
    "GET /api/v1/customers/{customer_id}": ADMIN,
    "PATCH /api/v1/customers/{customer_id}": ADMIN,
    "POST /api/v1/customers/{customer_id}/rotate-token": ADMIN,
    "POST /api/v1/declarations": R,
    "GET /api/v1/drafts/mine": R,
    "GET /api/v1/desk": R,
    "GET /api/v1/insights": R,
    "GET /api/v1/incidents/{incident_id}/insights": R,
    "GET /api/v1/examples": R,
    "DELETE /api/v1/examples/{update_id}": LEAD,
    "PUT /api/v1/examples/{update_id}": LEAD,
    "GET /api/v1/incidents": R,
    "POST /api/v1/incidents": R,
    "GET /api/v1/incidents/{incident_id}": R,
    "PATCH /api/v1/incidents/{incident_id}": R,
    "POST /api/v1/incidents/{incident_id}/accept": R,
    "GET /api/v1/incidents/{incident_id}/audit": R,
    "POST /api/v1/incidents/{incident_id}/decline": R,
    "GET /api/v1/incidents/{incident_id}/drafts": R,
    "POST /api/v1/incidents/{incident_id}/drafts": R,
    "DELETE /api/v1/incidents/{incident_id}/pause": R,
    "PUT /api/v1/incidents/{incident_id}/pause": R,
    "GET /api/v1/incidents/{incident_id}/similar-examples": R,
    "GET /api/v1/incidents/{incident_id}/updates": R,
    "POST /api/v1/incidents/{incident_id}/updates": R,
    "POST /api/v1/intake/alertmanager": R,
    "POST /api/v1/intake/generic": R,
    "GET /api/v1/intake/threads": R,
    "GET /api/v1/maintenances": R,
    "POST /api/v1/maintenances": R,
    "GET /api/v1/maintenances/{incident_id}": R,
    "PATCH /api/v1/maintenances/{incident_id}": R,
    "GET /api/v1/maintenance-plans": R,
    "POST /api/v1/maintenance-plans": R,
    "GET /api/v1/maintenance-plans/{incident_id}": R,
    "PATCH /api/v1/maintenance-plans/{incident_id}": R,
    "POST /api/v1/maintenance-plans/{incident_id}/cancel": R,
    "PUT /api/v1/maintenance-plans/{incident_id}/words/{phase}": R,
    "POST /api/v1/maintenance-plans/{incident_id}/words/{phase}/approve": LEAD,
    "GET /api/v1/queue": R,
    "GET /api/v1/subscribers": LEAD,
    "POST /api/v1/subscribers": LEAD,
    "POST /api/v1/subscribers/import": LEAD,
    "DELETE /api/v1/subscribers/{subscriber_id}": LEAD,
    "GET /api/v1/subscribers/{subscriber_id}": LEAD,
    "PATCH /api/v1/subscribers/{subscriber_id}": LEAD,
    "GET /api/v1/subscribers/{subscriber_id}/deliveries": LEAD,
    "GET /api/v1/templates": R,
    "POST /api/v1/templates": LEAD,
    "POST /api/v1/templates/preview": R,
    "POST /api/v1/imports/statuspage": LEAD,
    "DELETE /api/v1/templates/{template_id}": LEAD,
    "GET /api/v1/templates/{template_id}": R,
    "PATCH /api/v1/templates/{template_id}": LEAD,
    "GET /api/v1/tone-rules": R,
    "PATCH /api/v1/tone-rules/{name}": LEAD,
    "GET /api/v1/updates/{update_id}": R,
    "PATCH /api/v1/updates/{update_id}": R,
    "POST /api/v1/updates/{update_id}/approve": LEAD,
    "GET /api/v1/updates/{update_id}/deliveries": R,
    "POST /api/v1/updates/{update_id}/deliveries/retry": LEAD,
    "POST /api/v1/updates/{update_id}/reject": LEAD,
    "POST /api/v1/updates/{update_id}/submit": R,
    # Statuspage's Manage API: the same keys, sent as `OAuth <key>` or `Bearer <key>`.
    "GET /v1/pages/{page_id}/components": R,
    "POST /v1/pages/{page_id}/components": ADMIN,
    "GET /v1/pages/{page_id}/components.json": R,
    "POST /v1/pages/{page_id}/components.json": ADMIN,
    "DELETE /v1/pages/{page_id}/components/{component_id}": ADMIN,
    "GET /v1/pages/{page_id}/components/{component_id}": R,
    "PATCH /v1/pages/{page_id}/components/{component_id}": R,
    "PUT /v1/pages/{page_id}/components/{component_id}": R,
    "GET /v1/pages/{page_id}/incidents": R,
    "POST /v1/pages/{page_id}/incidents": R,
    "GET /v1/pages/{page_id}/incidents.json": R,
    "POST /v1/pages/{page_id}/incidents.json": R,
    "GET /v1/pages/{page_id}/incidents/active_maintenance": R,
    "GET /v1/pages/{page_id}/incidents/active_maintenance.json": R,
    "GET /v1/pages/{page_id}/incidents/scheduled": R,
    "GET /v1/pages/{page_id}/incidents/scheduled.json": R,
    "GET /v1/pages/{page_id}/incidents/unresolved": R,
    "GET /v1/pages/{page_id}/incidents/unresolved.json": R,
    "GET /v1/pages/{page_id}/incidents/upcoming": R,
    "GET /v1/pages/{page_id}/incidents/upcoming.json": R,
    "DELETE /v1/pages/{page_id}/incidents/{incident_id}": LEAD,
    "GET /v1/pages/{page_id}/incidents/{incident_id}": R,
    "PATCH /v1/pages/{page_id}/incidents/{incident_id}": R,
    "PUT /v1/pages/{page_id}/incidents/{incident_id}": R,
    "PATCH /v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{update_id}": R,
    "PUT /v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{update_id}": R,
    "GET /v1/pages/{page_id}/subscribers": LEAD,
    "POST /v1/pages/{page_id}/subscribers": LEAD,
    "GET /v1/pages/{page_id}/subscribers.json": LEAD,
    "POST /v1/pages/{page_id}/subscribers.json": LEAD,
    "DELETE /v1/pages/{page_id}/subscribers/{subscriber_id}": LEAD,
    "GET /v1/pages/{page_id}/subscribers/{subscriber_id}": LEAD,
    # The desk: a signed-in session only.
    "GET /admin/sign-in": OPEN,
    "POST /admin/sign-in": OPEN,
    "GET /admin": R,
    "GET /admin/insights": R,
    "GET /admin/settings": R,
    "POST /admin/settings": R,
    "GET /admin/customers": R,
    "GET /admin/customers/new": ADMIN,
    "POST /admin/customers/new": ADMIN,
    "GET /admin/customers/{customer_id}": R,
    "POST /admin/customers/{customer_id}": ADMIN,
    "POST /admin/customers/{customer_id}/rotate": ADMIN,
    "POST /admin/customers/{customer_id}/contacts": LEAD,
    "POST /admin/customers/{customer_id}/contacts/import": LEAD,
    "GET /admin/maintenance": R,
    "POST /admin/maintenance": R,
    "GET /admin/maintenance/{incident_id}": R,
    "POST /admin/maintenance/{incident_id}/cancel": R,
    "POST /admin/maintenance/{incident_id}/edit": R,
    "POST /admin/maintenance/{incident_id}/words/{phase}": R,
    "POST /admin/maintenance/{incident_id}/words/{phase}/approve": LEAD,
    "GET /admin/examples": R,
    "POST /admin/examples/{update_id}": LEAD,
    "POST /admin/examples/{update_id}/unmark": LEAD,
    "GET /admin/incidents/{incident_id}": R,
    "POST /admin/incidents/{incident_id}/drafts": R,
    "POST /admin/incidents/{incident_id}/compose": R,
    "POST /admin/incidents/{incident_id}/pause": R,
    "POST /admin/incidents/{incident_id}/preview": R,
    "POST /admin/incidents/{incident_id}/resume": R,
    "POST /admin/policy": ADMIN,
    "GET /admin/queue": R,
    "GET /admin/declare": R,
    "POST /admin/declare": R,
    "POST /admin/components/status": R,
    "POST /admin/sign-out": R,
    "GET /admin/import": LEAD,
    "POST /admin/import": LEAD,
    "GET /admin/subscribers": LEAD,
    "POST /admin/subscribers": LEAD,
    "POST /admin/subscribers/import": LEAD,
    "POST /admin/subscribers/channel": LEAD,
    "POST /admin/subscribers/test": LEAD,
    "GET /admin/subscribers/{subscriber_id}": LEAD,
    "POST /admin/subscribers/{subscriber_id}/unsubscribe": LEAD,
    "GET /admin/templates": R,
    "POST /admin/templates": LEAD,
    "GET /admin/templates/{template_id}": R,
    "POST /admin/templates/{template_id}": LEAD,
    "POST /admin/templates/{template_id}/delete": LEAD,
    "POST /admin/templates/{template_id}/preview": R,
    "GET /admin/tone": R,
    "POST /admin/tone/{name}": LEAD,
    "GET /admin/triage": R,
    "POST /admin/triage/{incident_id}/accept": R,
    "POST /admin/triage/{incident_id}/decline": R,
    "GET /admin/updates/{update_id}": R,
    "POST /admin/updates/{update_id}/approve": LEAD,
    "GET /admin/updates/{update_id}/deliveries": R,
    "POST /admin/updates/{update_id}/deliveries/retry": LEAD,
    "POST /admin/updates/{update_id}/edit": R,
    "POST /admin/updates/{update_id}/reject": LEAD,
    "POST /admin/updates/{update_id}/submit": R,
}


def routes(app: Litestar) -> Iterator[str]:
    """ "METHOD /path/{param}" of every route under PREFIXES, as the app has them."""
    for route in app.routes:
        if not route.path.startswith(PREFIXES):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                if method not in ("OPTIONS", "HEAD"):  # answered by Litestar for every route
                    yield f"{method} {path}"


def test_every_route_has_a_row(app):
    found = set(routes(app))
    assert found - TABLE.keys() == set(), "routes nobody has said who may call: add them"
    assert TABLE.keys() - found == set(), "rows for routes that are gone: remove them"


def api_routes(app: Litestar) -> list[str]:
    return [r for r in routes(app) if not r.split(" ", 1)[1].startswith("/admin")]


def desk_routes(app: Litestar) -> list[str]:
    # Signing out comes last: after it, a session may rightly be gone.
    found = [r for r in routes(app) if r.split(" ", 1)[1].startswith("/admin")]
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
    for route in api_routes(app):
        need = TABLE[route]
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
    for caller, (headers, role) in callers.items():
        for route in desk_routes(app):
            need = TABLE[route]
            response = await call(client, route, settings, headers)
            cells += 1
            if need == OPEN:
                expected, ok = "no 5xx", response.status_code < 500
            elif role is None:
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
            "an admin's desk session cookie": (desk[ADMIN].headers(), 401),
            **{f"a {role.value} key": (keys[role.value], role) for role in Role},
        },
    )
    tampered = desk[ADMIN].cookie[:-4] + "0000"
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
    assert api_wrong + desk_wrong == []
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
        if TABLE[route] != OPEN:
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
