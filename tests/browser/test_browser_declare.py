"""Declaring from the desk in chromium: a responder declares a customer-only incident with two
components; a comms lead approves it from a phone; the customer's page changes only then,
and the public page never shows it. axe-core checks the declare form and the queue card."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from tests.support.desk import PASSWORD

pytestmark = pytest.mark.browser

SERIOUS = ("serious", "critical")


async def _world(server, keys):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=server.url) as http:

        async def post(path: str, body: dict) -> dict:  # type: ignore[type-arg]
            response = await http.post(path, json=body, headers=keys["admin"])
            assert response.status_code == 201, response.text
            return response.json()  # type: ignore[no-any-return]

        api = await post("/api/v1/components", {"name": "API"})
        hooks = await post("/api/v1/components", {"name": "Webhooks"})
        await post("/api/v1/components", {"name": "Dashboard"})
        acme = await post("/api/v1/customers", {"name": "Acme Logistics", "components": []})
        await post("/api/v1/customers", {"name": "Globex Retail", "components": []})
        await post(
            "/api/v1/subscribers",
            {"kind": "email", "address": "ops@acme.test", "customer": acme["id"]},
        )
    return api, hooks, acme


async def _sign_in(page: Page, server, name: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(server.url + "/admin")
    await page.get_by_label("User name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Desk").wait_for()


async def _status_on(page: Page, url: str, component: str) -> str:
    await page.goto(url)
    row = page.locator("li.component").filter(has=page.locator("h3", has_text=component))
    return await row.locator(".component-head").inner_text()


async def _axe(page: Page) -> list[tuple[str, int]]:
    results = await Axe().run(page)
    return [
        (v["id"], len(v["nodes"]))
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


async def test_a_responder_declares_for_one_customer_and_it_shows_there_only_once_approved(
    live_server, browser, keys, users
):
    _api, _hooks, acme = await _world(live_server, keys)
    desk = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await desk.new_page()
    page.set_default_timeout(10_000)
    await _sign_in(page, live_server, "rita")
    await page.get_by_role("link", name="Declare an incident").click()
    await page.get_by_role("heading", name="Declare an incident").wait_for()
    assert await _axe(page) == []
    await page.get_by_label("Title").fill("Delayed webhooks")
    await page.get_by_label("Affected customers").check()
    await page.get_by_label("API (now operational)").select_option(label="Degraded performance")
    await page.get_by_label("Webhooks (now operational)").select_option(label="Partial outage")
    await page.get_by_label("Acme Logistics").check()
    await page.get_by_role("button", name="Declare and submit for approval").click()
    await page.get_by_text("Declared. Its first words wait in the approval queue.").wait_for()
    main = await page.locator("main").inner_text()
    assert "API: Operational → Degraded performance" in main
    assert "Webhooks: Operational → Partial outage" in main
    assert "1 email; Acme Logistics" in main
    await desk.close()

    customer_page = acme["page_url"]
    watcher = await browser.new_page()
    assert "Operational" in await _status_on(watcher, customer_page, "API")
    assert "Delayed webhooks" not in await watcher.locator("main").inner_text()

    phone = await browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    lead = await phone.new_page()
    lead.set_default_timeout(10_000)
    await _sign_in(lead, live_server, "lead")
    await lead.get_by_text("Menu").click()  # on a phone the desk's links fold
    await lead.get_by_role("link", name="Queue").click()
    card = lead.locator("article.card").filter(has_text="Delayed webhooks")
    text = await card.inner_text()
    assert "1 email; Acme Logistics" in text
    assert "[Example for Acme Logistics] Investigating: Delayed webhooks" in text
    await lead.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert await _axe(lead) == []
    # The card itself fits the phone: nothing in it reaches past the screen's edge.
    wide = await card.evaluate(
        "c => [...c.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '.' + e.className)"
    )
    assert wide == [], f"the queue card is wider than a phone: {wide}"
    await card.get_by_role("button", name="Approve and publish").click()
    await lead.get_by_text("Approved and published.").wait_for()
    await phone.close()

    assert "Degraded performance" in await _status_on(watcher, customer_page, "API")
    assert "Partial outage" in await _status_on(watcher, customer_page, "Webhooks")
    assert "Delayed webhooks" in await watcher.locator("main").inner_text()
    assert "Operational" in await _status_on(watcher, live_server.url + "/", "API")
    assert "Delayed webhooks" not in await watcher.locator("main").inner_text()
    await watcher.close()


async def test_axe_finds_nothing_serious_on_the_declare_form_and_the_queue_card(
    live_server, browser, keys, users
):
    _api, hooks, _acme = await _world(live_server, keys)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        declared = await http.post(
            "/api/v1/declarations",
            json={
                "title": "Delayed webhooks",
                "components": [{"id": hooks["id"], "status": "partial_outage"}],
                "submit": True,
            },
            headers=keys["responder"],
        )
        assert declared.status_code == 201, declared.text
    found = {}
    for width, scheme in [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]:
        context = await browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme
        )
        page = await context.new_page()
        await _sign_in(page, live_server, "lead")
        for path in ("/admin/declare", "/admin/queue"):
            await page.goto(live_server.url + path)
            await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            if problems := await _axe(page):
                found[(width, scheme, path)] = problems
        await context.close()
    assert not found, found
