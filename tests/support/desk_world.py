"""A desk with something on every page (incidents, drafts, a maintenance window, a
subscriber, ...) for the browser tests that walk it, and a signed-in comms lead's tab."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import Browser, Page

from app.accounts.models import Role
from app.accounts.service import create_user

PASSWORD = "desk-password-1"


async def build_desk_world(server, keys, sessionmaker) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An admin (who may open every desk page); an open incident with a draft in the queue;
    a resolved one with its postmortem published; a customer, a contact, a template and a
    maintenance window: something on every desk page."""
    async with sessionmaker() as session:
        await create_user(session, username="lead", password=PASSWORD, role=Role.ADMIN)
        await session.commit()
    async with httpx.AsyncClient(base_url=server.url) as http:

        async def post(path: str, body: dict | None = None, role: str = "admin") -> dict:  # type: ignore[type-arg]
            response = await http.post(path, json=body, headers=keys[role])
            assert response.status_code in (200, 201), response.text
            return response.json()  # type: ignore[no-any-return]

        api = await post("/api/v1/components", {"name": "API", "group": "Platform"})
        acme = await post(
            "/api/v1/customers", {"name": "Acme Logistics", "components": [api["id"]]}
        )
        contact = await post(
            "/api/v1/subscribers",
            {
                "kind": "email",
                "address": "a-rather-long-address-for-a-phone@operations.acme-logistics.example",
                "customer": acme["id"],
            },
            "comms_lead",
        )
        template = await post(
            "/api/v1/templates",
            {
                "name": "Investigating, long",
                "status": "investigating",
                "body": "{{ components_text }} is failing since {{ started_at }}; next update "
                "by {{ next_update_at }}. https://status.example.test/a/very/long/link/"
                "that/does/not/break/anywhere/on/its/own",
            },
            "comms_lead",
        )
        started = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
        old = await post(
            "/api/v1/incidents",
            {
                "title": "Exports delayed for some accounts",
                "impact": "major",
                "started_at": started,
                "components": [{"id": api["id"], "status": "partial_outage"}],
                "body": "Exports are slow.",
                "publish": True,
            },
            "comms_lead",
        )
        resolved = await post(
            f"/api/v1/incidents/{old['id']}/updates",
            {"status": "resolved", "body": "Exports work again.", "publish": True},
            "comms_lead",
        )
        await post(
            f"/api/v1/incidents/{old['id']}/updates",
            {
                "status": "postmortem",
                "body": "### What happened\n\nA bad setting.\n\n### Impact\n\nSlow exports.\n\n"
                "### What we are changing\n\n- Settings roll out slowly.",
                "publish": True,
            },
            "comms_lead",
        )
        ongoing = await post(
            "/api/v1/incidents",
            {
                "title": "Elevated API error rates on the eu-central-1 ingestion path",
                "impact": "minor",
                "components": [{"id": api["id"], "status": "degraded_performance"}],
                "body": "Some requests fail.",
                "publish": True,
            },
            "comms_lead",
        )
        draft = await post(
            f"/api/v1/incidents/{ongoing['id']}/drafts",
            {"template_id": template["id"]},
            "responder",
        )
        await post(f"/api/v1/updates/{draft['update']['id']}/submit", role="responder")
        start = datetime.now(UTC) + timedelta(days=2)
        plan = await post(
            "/api/v1/maintenance-plans",
            {
                "title": "Database upgrade",
                "scheduled_for": start.isoformat(),
                "scheduled_until": (start + timedelta(hours=1)).isoformat(),
                "components": [api["id"]],
                "scheduled": "We will upgrade the database on Sunday.",
                "in_progress": "The database upgrade has started.",
                "completed": "The database upgrade is done.",
            },
            "comms_lead",
        )
    return {
        "customer_id": acme["id"],
        "plan_id": plan["id"],
        "incident_id": ongoing["id"],
        "resolved_id": old["id"],
        "update_id": draft["update"]["id"],
        "published_id": resolved["id"],
        "template_id": template["id"],
        "subscriber_id": contact["id"],
    }


def desk_pages(app, world: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET page of the desk, from the app's own routes, with the world's ids in."""
    pages = set()
    for route in app.routes:
        if not route.path.startswith("/admin") or route.path == "/admin/sign-in":
            continue
        if not any("GET" in h.http_methods for h in getattr(route, "route_handlers", [])):
            continue
        names = {"incident_id": "plan_id"} if route.path.startswith("/admin/maintenance/") else {}
        path = re.sub(
            r"\{(\w+):\w+\}",
            lambda m, names=names: world.get(names.get(m.group(1), m.group(1)), "?"),
            route.path,
        )
        assert "?" not in path, f"add what {route.path} shows to the world of this test"
        pages.add(path)
    pages.add(f"/admin/incidents/{world['resolved_id']}")
    pages.add(f"/admin/updates/{world['published_id']}/deliveries")
    return sorted(pages)


async def signed_in_lead(browser: Browser, server, width: int, scheme: str) -> Page:  # type: ignore[no-untyped-def]
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(server.url + "/admin/sign-in")
    await page.get_by_label("User name").fill("lead")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Desk", exact=True).wait_for()
    return page
