"""Every unsafe route of the app (POST, PUT, PATCH, DELETE), read from its own route list,
refuses a request that carries a signed-in admin's desk session cookie but no CSRF token,
unless it is one of the exemptions below: routes that never read the cookie (the APIs,
authenticated by a key) and public forms that carry their own proof (signed links, double
opt-in). A new route is refused without its token until someone adds it here.
"""

from __future__ import annotations

from collections.abc import Iterator

from litestar import Controller, Litestar, post
from litestar.testing import AsyncTestClient

from app.accounts.models import Role
from app.accounts.permissions import Act
from app.asgi import create_app
from tests.support.desk import HTML

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
KEY_APIS = ("/api/v1/", "/v1/pages/")  # authenticated by an API key, never by the cookie
OWN_PROOF = {
    "/subscribe",
    "/c/{token}/subscribe",
    "/subscribe/test",
    "/c/{token}/subscribe/test",
    "/incidents/{incident_id}/follow",
    "/c/{token}/incidents/{incident_id}/follow",
    "/subscribe/confirm/{link}",
    "/c/{token}/subscribe/confirm/{link}",
    "/subscription/{link}",
    "/unsubscribe/{link}",
    # Mail providers' bounce webhooks: a signature or Basic auth, never a cookie.
    "/hooks/bounces/ses",
    "/hooks/bounces/postmark",
    "/hooks/bounces/mailgun",
    # SMS: the form asks for a number, the code texted to it proves it; replies carry
    # Twilio's signature.
    "/subscribe/sms",
    "/c/{token}/subscribe/sms",
    "/subscribe/sms/code",
    "/c/{token}/subscribe/sms/code",
    "/hooks/twilio/sms",
}
FORGED = "did not come from us"


def unsafe_routes(app: Litestar) -> Iterator[tuple[str, str]]:
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(set(handler.http_methods) & set(UNSAFE)):
                yield method, route.path_format


def exempt(path: str) -> bool:
    return path.startswith(KEY_APIS) or path in OWN_PROOF


async def test_every_unsafe_route_refuses_a_desk_session_without_its_csrf_token(app, client, desk):
    cookie = {"Cookie": desk[Role.ADMIN].headers()["Cookie"], **HTML}
    wrong, refused = [], 0
    for method, template in unsafe_routes(app):
        path = template.replace("{", "").replace("}", "")  # names nothing that exists
        data = {"data": {"note": "x"}} if method != "DELETE" else {}
        client.cookies.clear()
        response = await client.request(
            method, path, headers=cookie, follow_redirects=False, **data
        )
        forged = response.status_code == 403 and FORGED in response.text
        if exempt(template):
            if forged:
                wrong.append(f"{method} {template}: refused as forged, but it is exempt")
        elif forged:
            refused += 1
        else:
            wrong.append(f"{method} {template}: {response.status_code}, not 403 as forged")
    assert wrong == []
    assert refused  # the walk reached the desk's forms


class NewDeskForm(Controller):
    """A desk form as a new feature would add it: it says nothing about CSRF."""

    path = "/admin/new-form"
    opt = {"act": Act.DRAFT}

    @post("/", status_code=200)
    async def save(self) -> str:
        return "saved"


async def test_a_new_desk_form_is_protected_without_saying_so(settings, desk):
    app = create_app(settings)  # an app of its own: the route added here stays in it
    app.register(NewDeskForm)
    lead = desk[Role.COMMS_LEAD]
    async with AsyncTestClient(app=app, base_url="http://status.example.test") as client:
        forged = await client.post(
            "/admin/new-form", data={}, headers={"Cookie": lead.headers()["Cookie"], **HTML}
        )
        client.cookies.clear()
        sent = await client.post(
            "/admin/new-form", data={"_csrf": lead.csrf}, headers=lead.headers()
        )
    assert forged.status_code == 403 and FORGED in forged.text
    assert sent.status_code == 200 and sent.text == "saved"


async def test_a_desk_form_with_its_token_is_accepted_and_without_it_changes_nothing(client, desk):
    lead = desk[Role.COMMS_LEAD]
    form = {"name": "Status mail", "body": "We are on it."}
    client.cookies.clear()
    forged = await client.post(
        "/admin/templates", data=form, headers={"Cookie": lead.headers()["Cookie"], **HTML}
    )
    assert forged.status_code == 403 and FORGED in forged.text
    listed = await client.get("/admin/templates", headers=lead.headers())
    assert "Status mail" not in listed.text

    sent = await client.post(
        "/admin/templates",
        data={**form, "_csrf": lead.csrf},
        headers={"Cookie": lead.headers()["Cookie"]},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
