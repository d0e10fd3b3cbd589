"""Email delivery against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import pytest

from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.delivery import drain

pytestmark = pytest.mark.settings(worker_concurrency=4)


async def test_a_customer_only_incident_reaches_that_customers_contacts_and_no_one_else(
    client, keys, smtp, worker
):
    api = await factories.component(client, keys["admin"], "API")
    web = await factories.component(client, keys["admin"], "Web")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [web["id"]])
    await factories.contact(client, keys["comms_lead"], "public@example.org")
    await factories.contact(client, keys["comms_lead"], "ops@acme.test", customer=acme["id"])
    await factories.contact(client, keys["comms_lead"], "ops@globex.test", customer=globex["id"])
    incident = await factories.incident(
        client,
        keys["responder"],
        "Slow API for some accounts",
        visibility="customers",
        components=[{"id": api["id"], "status": "degraded_performance"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "We are **looking**.")
    await drain(worker)

    assert [m["To"] for m in smtp.messages] == ["ops@acme.test"]
    message = smtp.messages[0]
    assert "Acme" in message["Subject"]
    assert "Slow API for some accounts" in message["Subject"]
    assert "Investigating" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    customer = (await client.get(f"/api/v1/customers/{acme['id']}", headers=keys["admin"])).json()
    assert f"{customer['page_url']}incidents/{incident['id']}" in text
    assert "<strong>looking</strong>" in html


async def test_a_public_incident_reaches_public_subscribers_and_affected_customers_only(
    client, keys, smtp, worker
):
    api = await factories.component(client, keys["admin"], "API")
    web = await factories.component(client, keys["admin"], "Web")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [web["id"]])
    await factories.contact(client, keys["comms_lead"], "public@example.org")
    await factories.contact(client, keys["comms_lead"], "ops@acme.test", customer=acme["id"])
    await factories.contact(client, keys["comms_lead"], "ops@globex.test", customer=globex["id"])
    incident = await factories.incident(
        client, keys["responder"], "API errors", components=[{"id": api["id"]}]
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    assert sorted(m["To"] for m in smtp.messages) == ["ops@acme.test", "public@example.org"]


async def test_subscribers_of_chosen_components_hear_only_about_those(client, keys, smtp, worker):
    api = await factories.component(client, keys["admin"], "API")
    web = await factories.component(client, keys["admin"], "Web")
    await factories.contact(
        client, keys["comms_lead"], "web-only@example.org", components=[web["id"]]
    )
    await factories.contact(client, keys["comms_lead"], "all@example.org")
    on_api = await factories.incident(
        client, keys["responder"], "API", components=[{"id": api["id"]}]
    )
    await factories.publish(client, keys["comms_lead"], on_api["id"], "API down.")
    on_web = await factories.incident(
        client, keys["responder"], "Web", components=[{"id": web["id"]}]
    )
    await factories.publish(client, keys["comms_lead"], on_web["id"], "Web down.")
    await drain(worker)
    assert [m["Subject"] for m in smtp.to("web-only@example.org")] == [
        "[Example] Investigating: Web"
    ]
    assert len(smtp.to("all@example.org")) == 2


async def test_an_update_published_without_notifications_sends_nothing(client, keys, smtp, worker):
    await factories.contact(client, keys["comms_lead"], "all@example.org")
    incident = await factories.incident(client, keys["responder"], "Quiet fix")
    await factories.publish(
        client,
        keys["comms_lead"],
        incident["id"],
        "Fixed.",
        "resolved",
        deliver_notifications=False,
    )
    assert await drain(worker) == 0
    assert smtp.messages == []


async def test_emails_thread_per_incident_with_stable_ids_and_one_click_unsubscribe(
    client, keys, smtp, worker
):
    await factories.contact(client, keys["comms_lead"], "all@example.org")
    incident = await factories.incident(client, keys["responder"], "Queue backlog")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    await factories.publish(client, keys["comms_lead"], incident["id"], "Found.", "identified")
    await drain(worker)
    first, second = smtp.to("all@example.org")
    assert first["Message-ID"] != second["Message-ID"]
    assert re.fullmatch(r"<[^@<>\s]+@localhost>", second["Message-ID"])
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == first["Message-ID"]
    assert first["In-Reply-To"] is None
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(.+)>", first["List-Unsubscribe"]).group(1)
    assert unsubscribe.startswith("http://status.example.test/unsubscribe/")
    assert first.is_multipart()
    assert {p.get_content_type() for p in first.iter_parts()} == {"text/plain", "text/html"}

    # Link scanners fetch it: a GET only asks.
    page = await client.get(unsubscribe)
    assert page.status_code == 200
    assert "Unsubscribe" in page.text
    await factories.publish(client, keys["comms_lead"], incident["id"], "Fixing.", "monitoring")
    await drain(worker)
    assert len(smtp.to("all@example.org")) == 3

    # RFC 8058: a bare POST, no cookie, no redirect, answers 200.
    client.cookies.clear()
    response = await client.post(
        unsubscribe, data={"List-Unsubscribe": "One-Click"}, follow_redirects=False
    )
    assert response.status_code == 200
    await factories.publish(client, keys["comms_lead"], incident["id"], "Done.", "resolved")
    await drain(worker)
    assert len(smtp.to("all@example.org")) == 3


async def test_one_click_unsubscribe_accepts_a_multipart_body(client, keys, smtp, worker):
    await factories.contact(client, keys["comms_lead"], "all@example.org")
    incident = await factories.incident(client, keys["responder"], "Queue backlog")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    url = smtp.messages[0]["List-Unsubscribe"].strip("<>")
    response = await client.post(
        url, files={"List-Unsubscribe": (None, "One-Click")}, follow_redirects=False
    )
    assert response.status_code == 200
    listed = (await client.get("/api/v1/subscribers", headers=keys["comms_lead"])).json()
    assert listed[0]["state"] == "unsubscribed"


async def test_mail_is_delivered_once_the_smtp_server_is_back(client, keys, smtp, worker, clock):
    await factories.contact(client, keys["comms_lead"], "all@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    smtp.stop()
    await drain(worker)
    report = (
        await client.get(f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"])
    ).json()
    assert report["counts"]["retrying"] == 1
    assert report["counts"]["sent"] == 0

    smtp.start()
    await drain(worker)
    assert smtp.count() == 0  # not before its back-off (15 to 30 s for a first retry)
    clock.advance(seconds=31)
    await drain(worker)
    assert len(smtp.to("all@example.org")) == 1
    report = (
        await client.get(f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"])
    ).json()
    assert report["counts"]["sent"] == 1


async def test_a_refused_address_fails_for_good_shows_its_error_and_can_be_retried(
    client, keys, smtp, worker
):
    await factories.contact(client, keys["comms_lead"], "gone@example.org")
    await factories.contact(client, keys["comms_lead"], "fine@example.org")
    smtp.refuse.add("gone@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    path = f"/api/v1/updates/{update['id']}/deliveries"
    report = (await client.get(path, headers=keys["responder"])).json()
    assert report["counts"]["sent"] == 1
    assert report["counts"]["failed"] == 1
    (failure,) = report["failures"]
    assert failure["attempts"] == 1
    assert "550" in failure["last_error"]

    smtp.refuse.clear()
    retried = await client.post(f"{path}/retry", headers=keys["comms_lead"])
    assert retried.json() == {"retried": 1}
    await drain(worker)
    assert len(smtp.to("gone@example.org")) == 1
    history = (
        await client.get(
            f"/api/v1/subscribers/{failure['subscriber_id']}/deliveries", headers=keys["comms_lead"]
        )
    ).json()
    assert [(h["state"], h["attempts"]) for h in history] == [("sent", 2)]


async def test_one_smtp_connection_serves_many_messages(client, keys, smtp, settings, sessionmaker):
    for n in range(20):
        await factories.contact(client, keys["comms_lead"], f"reader{n}@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    worker = DeliveryWorker(replace(settings, worker_concurrency=2), sessionmaker)
    try:
        await drain(worker)
    finally:
        await worker.close()
    assert smtp.count() == 20
    assert len(smtp.connections) <= 2


async def test_a_customers_own_wording_reaches_only_that_customers_contacts(
    client, keys, smtp, worker
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [api["id"]])
    await factories.contact(client, keys["comms_lead"], "public@example.org")
    await factories.contact(client, keys["comms_lead"], "ops@acme.test", customer=acme["id"])
    await factories.contact(client, keys["comms_lead"], "ops@globex.test", customer=globex["id"])
    incident = await factories.incident(
        client, keys["responder"], "API errors", components=[{"id": api["id"]}]
    )
    await factories.publish(
        client, keys["comms_lead"], incident["id"], "Your exports are safe.", customer=acme["id"]
    )
    await drain(worker)
    assert [m["To"] for m in smtp.messages] == ["ops@acme.test"]


async def test_two_workers_sharing_the_outbox_send_each_message_once(
    client, keys, smtp, settings, sessionmaker
):
    imported = await client.post(
        "/api/v1/subscribers/import",
        content="\n".join(f"reader{n}@example.org" for n in range(300)).encode(),
        headers={**keys["comms_lead"], "Content-Type": "text/csv"},
    )
    assert imported.json()["created"] == 300
    incident = await factories.incident(client, keys["responder"], "Outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    small = replace(settings, worker_concurrency=2)  # batches of 50: both get work
    workers = [DeliveryWorker(small, sessionmaker) for _ in range(2)]
    try:
        handled = await asyncio.gather(*(drain(w) for w in workers))
    finally:
        for w in workers:
            await w.close()
    assert sum(handled) == 300
    assert all(handled)
    assert smtp.count() == 300
    assert len({m["To"] for m in smtp.messages}) == 300


@pytest.mark.parametrize(
    ("reply", "state"),
    [("554 5.7.1 message refused", "failed"), ("451 4.3.0 try again later", "retrying")],
)
async def test_a_message_refused_at_data_fails_on_5xx_and_is_retried_on_4xx(
    client, keys, smtp, worker, reply, state
):
    await factories.contact(client, keys["comms_lead"], "all@example.org")
    smtp.data_reply = reply
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    report = (
        await client.get(f"/api/v1/updates/{update['id']}/deliveries", headers=keys["responder"])
    ).json()
    assert report["counts"][state] == 1
