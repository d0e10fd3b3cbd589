"""Names stay text, customer page tokens stay with customers, and the demo keeps one key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import ApiKey
from app.customers.models import Customer
from app.demo.load import welcome
from tests.support import factories
from tests.support.desk import sign_in


async def test_a_line_break_in_a_customer_name_never_reaches_a_raw_icalendar_line(
    client, sessionmaker
):
    # Written straight into the database, as an import or an older version could have.
    async with sessionmaker() as session:
        customer = Customer(name="Acme\rX-INJECTED:1\r\nMETHOD:CANCEL\nEND:VCALENDAR")
        session.add(customer)
        await session.commit()
        token = customer.token
    response = await client.get(f"/c/{token}/maintenance.ics")
    assert response.status_code == 200
    text = response.text
    lines = text.split("\r\n")
    # Every line ends in CRLF; no bare CR or LF anywhere; nothing was injected as a property.
    assert "\r" not in "".join(lines) and "\n" not in "".join(lines)
    unfolded = text.replace("\r\n ", "")
    names = [line.split(":", 1)[0] for line in unfolded.split("\r\n") if line]
    assert "X-INJECTED" not in names
    assert names.count("METHOD") == 1 and names.count("END") == 1
    assert "X-WR-CALNAME:Example for Acme X-INJECTED:1 METHOD:CANCEL" in unfolded


@pytest.mark.parametrize("name", ["Acme\rCorp", "Acme\nCorp", "Acme\x1bCorp"])
async def test_a_customer_name_with_a_control_character_is_refused(client, keys, name):
    response = await client.post(
        "/api/v1/customers", json={"name": name, "components": []}, headers=keys["admin"]
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "name"


async def test_a_responder_reading_the_queue_never_sees_a_customer_page_token(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    incident = await factories.incident(
        client,
        keys["responder"],
        "Errors on the API",
        visibility="customers",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "The API fails for you. Next update at 14:00."},
        headers=keys["responder"],
    )
    draft = created.json()["update"]
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    queue = await client.get("/api/v1/queue", headers=keys["responder"])
    assert queue.status_code == 200
    previews = queue.json()[0]["previews"]
    assert [p["audience"] for p in previews] == ["Acme"]
    assert token not in queue.text
    # The reviewer still sees that the link is the customer's own page.
    assert "/c/" in previews[0]["page_url"] and "/c/" in previews[0]["email_body"]


async def test_each_demo_run_revokes_the_admin_key_the_previous_run_printed(
    sessionmaker, base_settings
):
    async with sessionmaker() as session:
        await welcome(session, settings=base_settings)
        await welcome(session, settings=base_settings)
        await welcome(session, settings=base_settings)
        await session.commit()
    async with sessionmaker() as session:
        keys = (await session.scalars(select(ApiKey).order_by(ApiKey.created_at))).all()
    assert len(keys) == 3
    assert [k.revoked_at is None for k in keys] == [False, False, True]


async def test_a_responder_at_the_desk_never_sees_a_customer_page_token(client, keys, users):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    incident = await factories.incident(
        client,
        keys["responder"],
        "Errors on the API",
        visibility="customers",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "The API fails for you."},
        headers=keys["responder"],
    )
    draft = created.json()["update"]
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    pages = [
        "/admin",
        "/admin/queue",
        "/admin/customers",
        f"/admin/incidents/{incident['id']}",
        f"/admin/updates/{draft['id']}",
    ]
    await sign_in(client, "rita")
    for path in pages:
        page = await client.get(path)
        assert page.status_code == 200, path
        assert token not in page.text, path
    # A comms lead, who writes to the customer's people, is given the link.
    await sign_in(client, "lead")
    assert token in (await client.get("/admin/customers")).text
