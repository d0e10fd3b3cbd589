"""What a visitor sees in a real browser: the public page and a customer's page."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.browser


async def _setup(server, keys) -> dict[str, str]:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=server.url) as http:
        api = (
            await http.post(
                "/api/v1/components",
                json={"name": "API", "group": "Platform"},
                headers=keys["admin"],
            )
        ).json()
        await http.post(
            "/api/v1/components",
            json={"name": "Dashboard", "group": "Platform"},
            headers=keys["admin"],
        )
        acme = (
            await http.post(
                "/api/v1/customers",
                json={"name": "Acme", "components": [api["id"]]},
                headers=keys["admin"],
            )
        ).json()
        globex = (
            await http.post(
                "/api/v1/customers",
                json={"name": "Globex", "components": []},
                headers=keys["admin"],
            )
        ).json()
        await http.post(
            "/api/v1/incidents",
            json={
                "title": "Public slowness",
                "impact": "minor",
                "components": [{"id": api["id"], "status": "degraded_performance"}],
                "body": "Pages load slowly. Next update in 2 hours.",
                "publish": True,
            },
            headers=keys["comms_lead"],
        )
        await http.post(
            "/api/v1/incidents",
            json={
                "title": "Acme webhook failures",
                "impact": "major",
                "visibility": "customers",
                "customers": [acme["id"]],
                "body": "Webhooks to Acme are failing.",
                "publish": True,
            },
            headers=keys["comms_lead"],
        )
    return {"acme": acme["page_url"], "globex": globex["page_url"]}


async def test_the_public_page_shows_components_and_public_incidents_only(live_server, page, keys):
    await _setup(live_server, keys)
    await page.goto(live_server.url + "/")
    assert await page.locator("h1").first.inner_text() != ""
    body = await page.locator("main").inner_text()
    assert "Public slowness" in body
    assert "Acme webhook failures" not in body
    assert "Degraded performance" in body  # a word, not just a colour
    await page.get_by_role("link", name="Public slowness").click()
    assert "Pages load slowly" in await page.locator("main").inner_text()


async def test_a_customer_page_shows_its_own_incident_and_its_name(live_server, page, keys):
    urls = await _setup(live_server, keys)
    await page.goto(urls["acme"])
    body = await page.locator("body").inner_text()
    assert "Acme" in body
    assert "Acme webhook failures" in body
    assert "Public slowness" in body
    await page.goto(urls["globex"])
    body = await page.locator("body").inner_text()
    assert "Acme webhook failures" not in body
