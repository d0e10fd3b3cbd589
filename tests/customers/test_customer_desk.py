"""Customers from the desk: an admin adds one with the components it uses, sees its private
link and rotates it (the old link stops at once); a comms lead adds and imports contacts; a
responder sees neither the link nor the contacts."""

from __future__ import annotations

import re

from app.accounts.models import Role
from tests.support import factories
from tests.support.desk import text_of


def _link(page: str) -> str:
    match = re.search(r'href="http://status\.example\.test(/c/[^"]+/)"', page)
    assert match, "the page shows no private link"
    return match.group(1)


async def test_an_admin_adds_a_customer_with_its_components_and_rotates_its_link(
    client, keys, desk_sign_in
):
    api = await factories.component(client, keys["admin"], "API")
    await factories.component(client, keys["admin"], "Dashboard")
    token = await desk_sign_in("ada", Role.ADMIN)
    new = await client.get("/admin/customers/new")
    assert "Components they use" in text_of(new)
    made = await client.post(
        "/admin/customers/new",
        data={"_csrf": token, "name": "Acme Logistics", "components": [api["id"]]},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    page = await client.get(made.headers["location"])
    assert "Added Acme Logistics." in text_of(page)
    listed = (await client.get("/api/v1/customers", headers=keys["admin"])).json()
    assert [(c["name"], c["components"]) for c in listed] == [("Acme Logistics", [api["id"]])]

    old = _link(page.text)
    assert (await client.get(old)).status_code == 200
    rotated = await client.post(f"/admin/customers/{listed[0]['id']}/rotate", data={"_csrf": token})
    assert "The old link no longer opens their page" in text_of(rotated)
    new_link = _link(rotated.text)
    assert new_link != old
    assert (await client.get(old)).status_code == 404
    assert (await client.get(new_link)).status_code == 200


async def test_a_blank_or_taken_name_is_refused_on_the_form(client, keys, desk_sign_in):
    await factories.customer(client, keys["admin"], "Acme", [])
    token = await desk_sign_in("ada", Role.ADMIN)
    for name, said in (("  ", "name must not be blank"), ("Acme", "already exists")):
        answer = await client.post("/admin/customers/new", data={"_csrf": token, "name": name})
        assert answer.status_code == 200 and said in text_of(answer)


async def test_a_comms_lead_adds_and_imports_contacts_and_a_responder_sees_no_link(
    client, keys, desk_sign_in
):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    token = await desk_sign_in("lena", Role.COMMS_LEAD)
    here = f"/admin/customers/{acme['id']}"
    added = await client.post(
        f"{here}/contacts", data={"_csrf": token, "address": "ops@acme.example"}
    )
    assert "Added ops@acme.example, confirmed." in text_of(added)
    imported = await client.post(
        f"{here}/contacts/import",
        data={"_csrf": token, "csv": "ann@acme.example\nops@acme.example\nnot-an-address\n"},
    )
    shown = text_of(imported)
    assert "Imported 1 contact, confirmed; 1 already subscribed." in shown
    assert "line 3" in shown
    contacts = (
        await client.get(f"/api/v1/subscribers?customer={acme['id']}", headers=keys["comms_lead"])
    ).json()
    assert sorted(c["address"] for c in contacts) == ["ann@acme.example", "ops@acme.example"]
    assert "/c/" in (await client.get(here)).text  # a comms lead sees the private link
    # Not theirs to rotate.
    refused = await client.post(f"{here}/rotate", data={"_csrf": token}, follow_redirects=False)
    assert refused.status_code == 403

    await client.post("/admin/sign-out", data={"_csrf": token})
    await desk_sign_in("rita", Role.RESPONDER)
    for path in (here, "/admin/customers"):
        page = await client.get(path)
        assert page.status_code == 200
        assert "/c/" not in page.text and "ops@acme.example" not in page.text
