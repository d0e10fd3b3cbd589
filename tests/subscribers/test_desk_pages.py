"""The admin pages for deliveries, subscribers and triage, over HTTP: what each shows, what
each action does, and that every form needs its CSRF token and the right role."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from app.delivery.jobs import DeliveryWorker
from app.delivery.service import RetryPolicy
from app.lib.clock import utcnow
from app.settings import page_id_for
from tests import factories
from tests.peers import smtp_fixture  # noqa: F401
from tests.test_admin_pages import _csrf, _sign_in, users  # noqa: F401

pytestmark = pytest.mark.usefixtures("users")

HTML = {"Accept": "text/html"}


@pytest.fixture
def settings(base_settings, smtp):  # type: ignore[no-untyped-def]
    return replace(base_settings, smtp_port=smtp.port)


@pytest.fixture
async def worker(settings, sessionmaker):  # type: ignore[no-untyped-def]
    worker = DeliveryWorker(settings, sessionmaker, policy=RetryPolicy(base=0.01, cap=0.05))
    yield worker
    await worker.close()


async def _drain(worker: DeliveryWorker) -> None:
    now = utcnow()
    while await worker.deliver_due(now=now):
        pass


async def _contact(client, keys, address, **fields):  # type: ignore[no-untyped-def]
    body = {"kind": "email", "address": address, **fields}
    return await factories._post(client, "/api/v1/subscribers", keys["comms_lead"], body)


async def _alert(client, keys, **fields):  # type: ignore[no-untyped-def]
    body = {"source": "grafana", "dedup_key": "api-5xx", "title": "API 5xx spike", **fields}
    response = await client.post("/api/v1/intake/generic", json=body, headers=keys["responder"])
    assert response.status_code in (200, 201), response.text
    return response.json()["incident_id"]


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """What a reader sees: the page without tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", response.text))


# ------------------------------------------------------------------ deliveries


async def test_failed_deliveries_show_their_error_and_a_comms_lead_retries_them(
    client, keys, smtp, worker
):
    gone = await _contact(client, keys, "gone@example.org")
    await _contact(client, keys, "fine@example.org")
    smtp.refuse.add("gone@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await _drain(worker)

    await _sign_in(client, "lead")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    assert "1 sent" in page.text and "1 failed" in page.text
    assert f'href="/admin/updates/{update["id"]}/deliveries"' in page.text

    deliveries = await client.get(f"/admin/updates/{update['id']}/deliveries")
    assert deliveries.status_code == 200
    assert "gone@example.org" in deliveries.text and "550" in deliveries.text
    assert "fine@example.org" not in deliveries.text  # only failures are listed

    smtp.refuse.clear()
    retried = await client.post(
        f"/admin/updates/{update['id']}/deliveries/retry", data={"_csrf": _csrf(deliveries.text)}
    )
    assert "1 delivery put back in the queue" in retried.text
    await _drain(worker)
    assert len(smtp.to("gone@example.org")) == 1
    assert (
        "No failed deliveries."
        in (await client.get(f"/admin/updates/{update['id']}/deliveries")).text
    )

    history = await client.get(f"/admin/subscribers/{gone['id']}")
    assert history.status_code == 200
    assert "Delivery history" in history.text
    assert 'class="state-sent">sent</td>' in history.text


async def test_a_responder_reads_deliveries_but_may_not_retry_and_a_retry_needs_csrf(client, keys):
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    retry = f"/admin/updates/{update['id']}/deliveries/retry"

    await _sign_in(client, "rita")
    page = await client.get(f"/admin/updates/{update['id']}/deliveries")
    assert page.status_code == 200 and "No failed deliveries." in page.text
    refused = await client.post(retry, data={"_csrf": _csrf(page.text)}, headers=HTML)
    assert refused.status_code == 403

    await _sign_in(client, "lead")
    assert (await client.post(retry, data={}, headers=HTML)).status_code == 403


# ------------------------------------------------------------------ subscribers


async def test_a_comms_lead_adds_a_customer_contact_who_is_confirmed_at_once(client, keys, smtp):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    await _sign_in(client, "lead")
    customers = await client.get("/admin/customers")
    assert f'href="/admin/subscribers?customer={acme["id"]}"' in customers.text

    form = await client.get(f"/admin/subscribers?customer={acme['id']}")
    added = await client.post(
        "/admin/subscribers",
        data={
            "_csrf": _csrf(form.text),
            "address": "Ops@Acme.example",
            "customer": acme["id"],
            "components": api["id"],
        },
    )
    assert "Added Ops@acme.example, confirmed." in _text(added)
    assert ">Ops@acme.example</a>" in added.text  # listed among Acme's contacts
    [contact] = (
        await client.get(f"/api/v1/subscribers?customer={acme['id']}", headers=keys["comms_lead"])
    ).json()
    assert (contact["state"], contact["components"]) == ("active", [api["id"]])
    assert smtp.count() == 0  # no confirmation email for a contact the team vouches for

    again = await client.post(
        "/admin/subscribers",
        data={"_csrf": _csrf(form.text), "address": "ops@acme.example", "customer": acme["id"]},
    )
    assert "ops@acme.example is already subscribed" in _text(again)
    bad = await client.post(
        "/admin/subscribers", data={"_csrf": _csrf(form.text), "address": "not an address"}
    )
    assert bad.status_code == 200 and 'role="alert"' in bad.text


async def test_contacts_are_imported_from_pasted_csv_and_from_a_file(client, keys):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    await _sign_in(client, "lead")
    form = await client.get("/admin/subscribers")
    pasted = await client.post(
        "/admin/subscribers/import",
        data={
            "_csrf": _csrf(form.text),
            "customer": acme["id"],
            "csv": "email\na@acme.example\nb@acme.example\nnonsense\n",
        },
        files={"file": ("", b"", "application/octet-stream")},
    )
    page = _text(pasted)
    assert "Imported 2 contacts, confirmed." in page
    assert "line 4" in page  # the bad line is reported, the others still imported
    uploaded = await client.post(
        "/admin/subscribers/import",
        data={"_csrf": _csrf(form.text), "customer": acme["id"], "csv": ""},
        files={"file": ("contacts.csv", b"b@acme.example\nc@acme.example\n", "text/csv")},
    )
    assert "Imported 1 contact, confirmed; 1 already subscribed." in _text(uploaded)

    theirs = await client.get(f"/admin/subscribers?customer={acme['id']}")
    assert all(f"{x}@acme.example" in theirs.text for x in "abc")
    public = await client.get("/admin/subscribers?customer=public")
    assert "acme.example" not in public.text
    empty = await client.post(
        "/admin/subscribers/import", data={"_csrf": _csrf(form.text), "csv": " "}
    )
    assert "paste them or choose a file" in empty.text


async def test_removing_a_contact_unsubscribes_it(client, keys):
    contact = await _contact(client, keys, "leaving@example.org")
    await _sign_in(client, "lead")
    page = await client.get(f"/admin/subscribers/{contact['id']}")
    assert "Unsubscribe leaving@example.org" in page.text
    done = await client.post(
        f"/admin/subscribers/{contact['id']}/unsubscribe", data={"_csrf": _csrf(page.text)}
    )
    assert "Unsubscribed: nothing more is sent." in done.text
    assert "Unsubscribe leaving@example.org" not in done.text
    read = await client.get(f"/api/v1/subscribers/{contact['id']}", headers=keys["comms_lead"])
    assert read.json()["state"] == "unsubscribed"


async def test_a_responder_neither_sees_nor_changes_subscribers(client, keys):
    contact = await _contact(client, keys, "someone@example.org")
    await _sign_in(client, "rita")
    desk = await client.get("/admin")
    assert 'href="/admin/subscribers"' not in desk.text
    token = _csrf(desk.text)
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
    contact = await _contact(client, keys, "someone@example.org")
    await _sign_in(client, "lead")
    for path, data in (
        ("/admin/subscribers", {"address": "x@example.org"}),
        ("/admin/subscribers/import", {"csv": "x@example.org"}),
        (f"/admin/subscribers/{contact['id']}/unsubscribe", {}),
    ):
        assert (await client.post(path, data=data, headers=HTML)).status_code == 403, path
    read = await client.get(f"/api/v1/subscribers/{contact['id']}", headers=keys["comms_lead"])
    assert read.json()["state"] == "active"


# ------------------------------------------------------------------ triage and integrations


async def test_the_triage_page_shows_alert_incidents_and_a_responder_accepts_one(client, keys):
    await factories.component(client, keys["admin"], "API")
    await factories.customer(client, keys["admin"], "Acme", [])
    incident_id = await _alert(client, keys, components=["API"], customers=["Acme"])
    await _alert(client, keys, components=["API"], customers=["Acme"])
    await _sign_in(client, "rita")
    desk = await client.get("/admin")
    assert "1 alert incident waiting for triage" in _text(desk)

    incident_page = await client.get(f"/admin/incidents/{incident_id}")
    assert "Opened by an alert from grafana and waiting for triage" in _text(incident_page)
    triage = await client.get("/admin/triage")
    text = _text(triage)
    for seen in ("API 5xx spike", "grafana", "api-5xx", "2 (firing)", "API", "Acme", "First seen"):
        assert seen in text, seen
    accepted = await client.post(
        f"/admin/triage/{incident_id}/accept",
        data={"_csrf": _csrf(triage.text), "visibility": "public"},
    )
    assert accepted.url.path == "/admin/queue"
    assert "Accepted “API 5xx spike”" in _text(accepted)
    assert "may have trouble using API" in _text(accepted)  # the investigating template
    incident = (
        await client.get(f"/api/v1/incidents/{incident_id}", headers=keys["responder"])
    ).json()
    assert (incident["status"], incident["visibility"]) == ("investigating", "public")
    assert "Nothing waiting for triage." in (await client.get("/admin/triage")).text
    assert "waiting for triage" not in (await client.get(f"/admin/incidents/{incident_id}")).text
    again = await client.post(
        f"/admin/triage/{incident_id}/accept", data={"_csrf": _csrf(triage.text)}
    )
    assert "already accepted" in again.text


async def test_declining_needs_a_reason_and_closes_the_incident(client, keys):
    incident_id = await _alert(client, keys)
    await _sign_in(client, "rita")
    triage = await client.get("/admin/triage")
    decline = f"/admin/triage/{incident_id}/decline"
    blank = await client.post(decline, data={"_csrf": _csrf(triage.text), "reason": "  "})
    assert "reason must not be blank" in blank.text
    declined = await client.post(
        decline, data={"_csrf": _csrf(triage.text), "reason": "Synthetic check misfired"}
    )
    assert "Declined “API 5xx spike”: closed and kept out of history." in _text(declined)
    assert "Nothing waiting for triage." in declined.text
    threads = (await client.get("/api/v1/intake/threads", headers=keys["responder"])).json()
    assert (threads[0]["state"], threads[0]["decline_reason"]) == (
        "declined",
        "Synthetic check misfired",
    )


async def test_triage_forms_without_the_csrf_token_are_refused(client, keys):
    incident_id = await _alert(client, keys)
    await _sign_in(client, "rita")
    for action, data in (("accept", {}), ("decline", {"reason": "noise"})):
        response = await client.post(
            f"/admin/triage/{incident_id}/{action}", data=data, headers=HTML
        )
        assert response.status_code == 403, action
    threads = (await client.get("/api/v1/intake/threads", headers=keys["responder"])).json()
    assert threads[0]["state"] == "triage"


async def test_the_desk_shows_the_page_id_and_the_manage_api_address(client, settings):
    await _sign_in(client, "rita")
    desk = await client.get("/admin")
    page_id = page_id_for(settings)
    assert f"<code>{page_id}</code>" in desk.text
    assert f"{settings.base_url}/v1/pages/{page_id}/" in desk.text
