"""The comms desk in a real browser, shared by tests/browser's drafting tests: the people,
a component, a customer, an incident and a template to draft from; signing a tab in."""

from __future__ import annotations

import httpx

from app.accounts.models import Role
from app.accounts.service import create_user

PASSWORD = "desk-password-1"
TEMPLATE = (
    "Since {{ started_at }}, {{ components_text }} fails for some of you. "
    "We're investigating and will update you by {{ next_update_at }}."
)


async def setup_drafting(server, keys, sessionmaker):  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        await create_user(session, username="rita", password=PASSWORD, role=Role.RESPONDER)
        await create_user(session, username="lead", password=PASSWORD, role=Role.COMMS_LEAD)
        await session.commit()
    async with httpx.AsyncClient(base_url=server.url) as http:
        api = (
            await http.post("/api/v1/components", json={"name": "API"}, headers=keys["admin"])
        ).json()
        acme = (
            await http.post(
                "/api/v1/customers",
                json={"name": "Acme", "components": [api["id"]]},
                headers=keys["admin"],
            )
        ).json()
        incident = (
            await http.post(
                "/api/v1/incidents",
                json={
                    "title": "API errors",
                    "impact": "major",
                    "components": [{"id": api["id"], "status": "partial_outage"}],
                },
                headers=keys["responder"],
            )
        ).json()
        template = await http.post(
            "/api/v1/templates",
            json={"name": "First words", "status": "investigating", "body": TEMPLATE},
            headers=keys["comms_lead"],
        )
        assert template.status_code == 201, template.text
    return incident, acme


async def sign_in_tab(tab, server, name):  # type: ignore[no-untyped-def]
    await tab.goto(server.url + "/admin")
    await tab.get_by_label("User name").fill(name)
    await tab.get_by_label("Password").fill(PASSWORD)
    await tab.get_by_role("button", name="Sign in").click()
    await tab.get_by_role("heading", name="Desk").wait_for()
