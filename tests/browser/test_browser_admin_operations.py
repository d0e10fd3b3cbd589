"""The admin desk in a real browser: import a customer's contacts by CSV, then accept an
incident that an alert opened and find its first draft in the approval queue."""

from __future__ import annotations

import httpx
import pytest

from app.accounts.models import Role
from app.accounts.service import create_user

pytestmark = pytest.mark.browser

PASSWORD = "desk-password-1"


async def test_a_lead_imports_contacts_and_accepts_an_alert_into_the_queue(
    live_server,
    page,
    keys,
    sessionmaker,
):
    async with sessionmaker() as session:
        await create_user(session, username="lead", password=PASSWORD, role=Role.COMMS_LEAD)
        await session.commit()
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        api = (
            await http.post("/api/v1/components", json={"name": "API"}, headers=keys["admin"])
        ).json()
        acme = await http.post(
            "/api/v1/customers", json={"name": "Acme", "components": []}, headers=keys["admin"]
        )
        assert acme.status_code == 201
        alert = await http.post(
            "/api/v1/intake/generic",
            json={
                "source": "uptime-robot",
                "dedup_key": "api-down",
                "title": "API unreachable",
                "components": [api["id"]],
                "customers": ["Acme"],
            },
            headers=keys["responder"],
        )
        assert alert.status_code == 201, alert.text

    await page.goto(live_server.url + "/admin")
    await page.get_by_label("User name").fill("lead")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Desk").wait_for()
    assert "1 alert incident waiting for triage" in await page.locator("main").inner_text()

    await page.get_by_role("link", name="Customers").click()
    await page.get_by_role("link", name="Acme contacts").click()
    importing = page.get_by_role("region", name="Import contacts (CSV)")
    await importing.get_by_label("Contacts").fill("ann@acme.example\nbob@acme.example\n")
    await importing.get_by_role("button", name="Import contacts").click()
    await page.get_by_text("Imported 2 contacts, confirmed.").wait_for()
    listed = await page.get_by_role("table").inner_text()
    assert "ann@acme.example" in listed and "bob@acme.example" in listed

    await page.get_by_role("link", name="Triage").click()
    incident = page.get_by_role("article", name="API unreachable")
    facts = await incident.inner_text()
    assert "uptime-robot" in facts and "api-down" in facts and "Acme" in facts
    await incident.get_by_label("Visible to").select_option(label="only affected customers")
    await incident.get_by_role("button", name="Accept").click()
    await page.get_by_text("Accepted “API unreachable”").wait_for()
    queue = await page.locator("main").inner_text()
    assert "may have trouble using API" in queue  # drafted from the investigating template
    assert "Approve and publish" in queue  # waiting for a person, not published
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        accepted = await http.get(
            f"/api/v1/incidents/{alert.json()['incident_id']}", headers=keys["responder"]
        )
        contacts = await http.get(
            f"/api/v1/subscribers?customer={acme.json()['id']}", headers=keys["comms_lead"]
        )
    assert (accepted.json()["status"], accepted.json()["visibility"]) == (
        "investigating",
        "customers",
    )
    assert sorted(c["state"] for c in contacts.json()) == ["active", "active"]
