"""The desk's subscriber pages: adding, importing and removing contacts, for comms leads only."""

from __future__ import annotations

import pytest

from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in, text_of

pytestmark = pytest.mark.usefixtures("users")


async def test_a_comms_lead_adds_a_customer_contact_who_is_confirmed_at_once(client, keys, smtp):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    await sign_in(client, "lead")
    customers = await client.get("/admin/customers")
    assert f'href="/admin/subscribers?customer={acme["id"]}"' in customers.text

    form = await client.get(f"/admin/subscribers?customer={acme['id']}")
    added = await client.post(
        "/admin/subscribers",
        data={
            "_csrf": csrf(form.text),
            "address": "Ops@Acme.example",
            "customer": acme["id"],
            "components": api["id"],
        },
    )
    assert "Added Ops@acme.example, confirmed." in text_of(added)
    assert ">Ops@acme.example</a>" in added.text  # listed among Acme's contacts
    [contact] = (
        await client.get(f"/api/v1/subscribers?customer={acme['id']}", headers=keys["comms_lead"])
    ).json()
    assert (contact["state"], contact["components"]) == ("active", [api["id"]])
    assert smtp.count() == 0  # no confirmation email for a contact the team vouches for

    again = await client.post(
        "/admin/subscribers",
        data={"_csrf": csrf(form.text), "address": "ops@acme.example", "customer": acme["id"]},
    )
    assert "ops@acme.example is already subscribed" in text_of(again)
    bad = await client.post(
        "/admin/subscribers", data={"_csrf": csrf(form.text), "address": "not an address"}
    )
    assert bad.status_code == 200 and 'role="alert"' in bad.text


async def test_contacts_are_imported_from_pasted_csv_and_from_a_file(client, keys):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    await sign_in(client, "lead")
    form = await client.get("/admin/subscribers")
    pasted = await client.post(
        "/admin/subscribers/import",
        data={
            "_csrf": csrf(form.text),
            "customer": acme["id"],
            "csv": "email\na@acme.example\nb@acme.example\nnonsense\n",
        },
        files={"file": ("", b"", "application/octet-stream")},
    )
    page = text_of(pasted)
    assert "Imported 2 contacts, confirmed." in page
    assert "line 4" in page  # the bad line is reported, the others still imported
    uploaded = await client.post(
        "/admin/subscribers/import",
        data={"_csrf": csrf(form.text), "customer": acme["id"], "csv": ""},
        files={"file": ("contacts.csv", b"b@acme.example\nc@acme.example\n", "text/csv")},
    )
    assert "Imported 1 contact, confirmed; 1 already subscribed." in text_of(uploaded)

    theirs = await client.get(f"/admin/subscribers?customer={acme['id']}")
    assert all(f"{x}@acme.example" in theirs.text for x in "abc")
    public = await client.get("/admin/subscribers?customer=public")
    assert "acme.example" not in public.text
    empty = await client.post(
        "/admin/subscribers/import", data={"_csrf": csrf(form.text), "csv": " "}
    )
    assert "paste them or choose a file" in empty.text


async def test_removing_a_contact_unsubscribes_it(client, keys):
    contact = await factories.contact(client, keys["comms_lead"], "leaving@example.org")
    await sign_in(client, "lead")
    page = await client.get(f"/admin/subscribers/{contact['id']}")
    assert "Unsubscribe leaving@example.org" in page.text
    done = await client.post(
        f"/admin/subscribers/{contact['id']}/unsubscribe", data={"_csrf": csrf(page.text)}
    )
    assert "Unsubscribed: nothing more is sent." in done.text
    assert "Unsubscribe leaving@example.org" not in done.text
    read = await client.get(f"/api/v1/subscribers/{contact['id']}", headers=keys["comms_lead"])
    assert read.json()["state"] == "unsubscribed"


async def test_a_responder_neither_sees_nor_changes_subscribers(client, keys):
    contact = await factories.contact(client, keys["comms_lead"], "someone@example.org")
    await sign_in(client, "rita")
    desk = await client.get("/admin")
    assert 'href="/admin/subscribers"' not in desk.text
    token = csrf(desk.text)
    assert (await client.get("/admin/subscribers", headers=HTML)).status_code == 403
    assert (await client.get(f"/admin/subscribers/{contact['id']}")).status_code == 403
    for path, data in (
        ("/admin/subscribers", {"address": "x@example.org"}),
        ("/admin/subscribers/import", {"csv": "x@example.org"}),
        (f"/admin/subscribers/{contact['id']}/unsubscribe", {}),
    ):
        response = await client.post(path, data={"_csrf": token, **data}, headers=HTML)
        assert response.status_code == 403, path
    assert len((await client.get("/api/v1/subscribers", headers=keys["comms_lead"])).json()) == 1


async def test_subscriber_forms_without_the_csrf_token_are_refused(client, keys):
    contact = await factories.contact(client, keys["comms_lead"], "someone@example.org")
    await sign_in(client, "lead")
    for path, data in (
        ("/admin/subscribers", {"address": "x@example.org"}),
        ("/admin/subscribers/import", {"csv": "x@example.org"}),
        (f"/admin/subscribers/{contact['id']}/unsubscribe", {}),
    ):
        assert (await client.post(path, data=data, headers=HTML)).status_code == 403, path
    read = await client.get(f"/api/v1/subscribers/{contact['id']}", headers=keys["comms_lead"])
    assert read.json()["state"] == "active"
