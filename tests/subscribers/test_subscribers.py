"""Subscribing: double opt-in, rate limits, the API and the preferences page."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import httpx
import pytest

from app.subscribers import tokens
from tests.support import factories
from tests.support.delivery import drain
from tests.support.process_server import serving_in_a_process


def link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://status\.example\.test/\S+", text).group(0)


async def test_a_public_subscriber_gets_only_the_confirmation_until_confirming(
    client, keys, smtp, worker
):
    response = await client.post("/subscribe", data={"email": "reader@example.org"})
    assert response.status_code == 200
    assert "confirmation link" in response.text
    incident = await factories.incident(client, keys["responder"], "Outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    (confirmation,) = smtp.to("reader@example.org")
    assert confirmation["Subject"].startswith("Confirm your subscription")

    link = link_in(confirmation)
    page = await client.get(link)  # a GET (or a link scanner) does not confirm
    assert page.status_code == 200 and "Confirm subscription" in page.text
    await factories.publish(client, keys["comms_lead"], incident["id"], "Still.", "identified")
    await drain(worker)
    assert len(smtp.to("reader@example.org")) == 1

    confirmed = await client.post(link)
    assert confirmed.status_code == 200
    await factories.publish(client, keys["comms_lead"], incident["id"], "Fixed.", "resolved")
    await drain(worker)
    subjects = [m["Subject"] for m in smtp.to("reader@example.org")]
    assert subjects[1:] == ["[Example] Resolved: Outage"]


async def test_subscribing_on_a_customer_page_links_the_subscriber_to_that_customer(
    client, keys, smtp, worker
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    page = await client.get(f"/c/{token}/subscribe")
    assert page.status_code == 200 and "Acme" in page.text
    await client.post(f"/c/{token}/subscribe", data={"email": "ops@acme.test"})
    await drain(worker)
    link = link_in(smtp.to("ops@acme.test")[0])
    assert f"/c/{token}/subscribe/confirm/" in link
    await client.post(link)
    listed = (await client.get("/api/v1/subscribers", headers=keys["comms_lead"])).json()
    assert [(s["address"], s["customer"], s["state"]) for s in listed] == [
        ("ops@acme.test", acme["id"], "active")
    ]


async def test_an_expired_or_forged_confirmation_link_is_refused(client, settings):
    await client.post("/subscribe", data={"email": "reader@example.org"})
    # A forged link fails; an expired one says so.
    assert (await client.post("/subscribe/confirm/abc.0.forged")).status_code == 422
    expired = tokens.sign(settings.secret_key, tokens.CONFIRM, "abcdefabcdef", ttl=-10)
    response = await client.post(f"/subscribe/confirm/{expired}")
    assert response.status_code == 422
    assert "expired" in response.text


async def test_the_form_cannot_flood_one_inbox_or_be_used_from_one_client_at_length(client):
    answers = [
        (await client.post("/subscribe", data={"email": "victim@example.org"})).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    answers = [
        (await client.post("/subscribe", data={"email": f"r{n}@example.org"})).status_code
        for n in range(8)
    ]
    assert answers[-1] == 429


async def test_one_clients_subscribe_limit_holds_across_server_processes(app_process, settings):
    # Twelve asks at once from one address, six to each of two server processes: the count
    # is one count in the database, so ten get through (the limit), not ten per process.
    with serving_in_a_process(settings) as second:
        async with (
            httpx.AsyncClient(base_url=app_process, timeout=60) as one,
            httpx.AsyncClient(base_url=second, timeout=60) as two,
        ):
            answers = await asyncio.gather(
                *(
                    http.post("/subscribe", data={"email": f"p{n}@example.org"})
                    for n in range(6)
                    for http in (one, two)
                )
            )
    assert sorted(a.status_code for a in answers) == [200] * 10 + [429] * 2
    assert all("too many subscriptions" in a.text for a in answers if a.status_code == 429)


async def test_a_bad_address_is_refused_naming_the_field(client, keys):
    response = await client.post("/subscribe", data={"email": "not an address"})
    assert response.status_code == 422
    assert "email address" in response.text
    response = await client.post(
        "/api/v1/subscribers", json={"kind": "email", "address": "nope"}, headers=keys["comms_lead"]
    )
    assert response.status_code == 422
    assert response.json()["field"] == "address"


async def test_a_webhook_subscriber_is_answered_with_its_secret_this_once(client, keys, settings):
    client.app.state.settings = replace(settings, webhook_allow_private=False)
    response = await client.post(
        "/api/v1/subscribers",
        json={"kind": "webhook", "url": "https://93.184.216.34/hooks/status"},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert created["state"] == "active"
    fetched = await client.get(f"/api/v1/subscribers/{created['id']}", headers=keys["comms_lead"])
    assert fetched.json()["secret"] is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "ftp://example.org/hook",
    ],
)
async def test_webhooks_to_private_loopback_or_link_local_addresses_are_refused(client, keys, url):
    response = await client.post(
        "/api/v1/subscribers", json={"kind": "webhook", "url": url}, headers=keys["comms_lead"]
    )
    assert response.status_code == 422
    assert response.json()["field"] == "url"


async def test_csv_import_adds_confirmed_contacts_and_reports_bad_lines(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    await factories.contact(client, keys["comms_lead"], "already@acme.test", customer=acme["id"])
    csv_text = (
        "email,components\n"
        f"one@acme.test,{api['id']}\n"
        "two@acme.test\n"
        "already@acme.test\n"
        "broken\n"
        "three@acme.test,nosuchthing1\n"
    )
    response = await client.post(
        f"/api/v1/subscribers/import?customer={acme['id']}",
        content=csv_text.encode(),
        headers={**keys["comms_lead"], "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["skipped"]) == (2, 1)
    assert [e.split(":")[0] for e in result["errors"]] == ["line 5", "line 6"]
    listed = (
        await client.get(f"/api/v1/subscribers?customer={acme['id']}", headers=keys["comms_lead"])
    ).json()
    by_address = {s["address"]: s for s in listed}
    assert by_address["one@acme.test"]["components"] == [api["id"]]
    assert by_address["two@acme.test"]["components"] is None
    assert {s["state"] for s in listed} == {"active"}


async def test_the_preferences_page_from_an_email_changes_components_and_unsubscribes(
    client, keys, smtp, worker
):
    api = await factories.component(client, keys["admin"], "API")
    web = await factories.component(client, keys["admin"], "Web")
    await factories.contact(client, keys["comms_lead"], "reader@example.org")
    incident = await factories.incident(
        client, keys["responder"], "API", components=[{"id": api["id"]}]
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    text = smtp.messages[0].get_body(("plain",)).get_content()
    manage = re.search(r"http://status\.example\.test/subscription/\S+", text).group(0)
    page = await client.get(manage)
    assert page.status_code == 200 and "reader@example.org" in page.text

    saved = await client.post(manage, data={"components": [web["id"]]})
    assert saved.status_code == 200
    await factories.publish(client, keys["comms_lead"], incident["id"], "Found.", "identified")
    await drain(worker)
    assert len(smtp.messages) == 1  # no longer about API

    token = manage.rsplit("/", 1)[1]
    assert (await client.post(f"/unsubscribe/{token}")).status_code == 200
    assert "unsubscribed" in (await client.get(manage)).text
    assert (await client.get("/subscription/x.0.forged")).status_code == 422
