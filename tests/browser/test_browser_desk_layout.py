"""Every page of the admin desk in chromium at 1280 px and 390 px, light and dark: nothing
scrolls sideways on a phone, the tab title is plain words, axe-core finds no serious or
critical violation, and a queue card's "Approve and publish" is near its top."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

from app.accounts.models import Role
from app.accounts.service import create_user

pytestmark = pytest.mark.browser

LOOKS = [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]
PASSWORD = "desk-password-1"


async def _world(server, keys, sessionmaker) -> dict[str, str]:  # type: ignore[no-untyped-def]
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


async def _signed_in(browser: Browser, server, width: int, scheme: str) -> Page:  # type: ignore[no-untyped-def]
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


SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const wider = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('table'))
    .slice(0, 3).map(e => e.outerHTML.slice(0, 80));
  return [document.documentElement.scrollWidth, width, wider];
}"""


@pytest.mark.parametrize(("width", "scheme"), LOOKS)
async def test_every_desk_page_fits_reads_plainly_and_passes_axe(
    live_server, browser, keys, sessionmaker, app, width, scheme
):
    world = await _world(live_server, keys, sessionmaker)
    page = await _signed_in(browser, live_server, width, scheme)
    axe = Axe()
    sideways, titles, found = {}, {}, {}
    paths = ["/admin/sign-in", *desk_pages(app, world)]
    for path in paths:
        if path == "/admin/sign-in":
            context = await browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme
            )
            target = await context.new_page()
        else:
            target = page
        response = await target.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        await target.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        scroll_width, client_width, wider = await target.evaluate(SIDEWAYS)
        if scroll_width > client_width:
            sideways[path] = (scroll_width, wider)
        title = await target.title()
        if "<" in title or ">" in title:
            titles[path] = title
        results = await axe.run(target)
        serious = [
            (v["id"], v["impact"], len(v["nodes"]))
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            found[path] = serious
        if target is not page:
            await target.context.close()
    await page.context.close()
    assert len(paths) >= 15, paths
    assert not sideways, sideways
    assert not titles, titles
    assert not found, found


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_a_lead_on_a_phone_finds_approve_near_the_top_of_the_queue_card(
    live_server, browser, keys, sessionmaker, scheme
):
    await _world(live_server, keys, sessionmaker)
    page = await _signed_in(browser, live_server, 390, scheme)
    await page.get_by_text("Menu").click()  # the desk's links fold on a phone
    await page.get_by_role("link", name="Queue").click()
    card = page.get_by_role("article", name=re.compile("Elevated API error rates"))
    approve = card.get_by_role("button", name="Approve and publish")
    card_box, button_box = await card.bounding_box(), await approve.bounding_box()
    assert card_box is not None and button_box is not None
    assert button_box["y"] - card_box["y"] < 700  # within one phone screen of the card's top
    assert button_box["x"] + button_box["width"] <= 390
    colours = await approve.evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    assert colours[0] != colours[1]
    await approve.click()
    await page.get_by_text("Approved and published.").wait_for()
    await page.context.close()
