"""A customer's first screen on a phone and a wide screen, light and dark: the banner names
its affected service, what affects its services comes before what does not, the bars show
only what the reader can see, and axe-core finds nothing to fix."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

pytestmark = pytest.mark.browser

LOOKS = [(390, "light"), (390, "dark"), (1280, "light"), (1280, "dark")]


async def _acme_page(server, keys) -> str:  # type: ignore[no-untyped-def]
    """Acme uses the API, which is down for Acme alone; Search is slow for everyone."""
    async with httpx.AsyncClient(base_url=server.url) as http:

        async def post(path: str, body: dict, role: str = "admin") -> dict:  # type: ignore[type-arg]
            response = await http.post(path, json=body, headers=keys[role])
            assert response.status_code == 201, response.text
            return response.json()  # type: ignore[no-any-return]

        api = await post("/api/v1/components", {"name": "API", "group": "Platform"})
        await post("/api/v1/components", {"name": "Dashboard", "group": "Platform"})
        search = await post("/api/v1/components", {"name": "Search", "group": "Data"})
        acme = await post(
            "/api/v1/customers", {"name": "Acme Logistics", "components": [api["id"]]}
        )
        await post(
            "/api/v1/incidents",
            {
                "title": "Slow search",
                "components": [{"id": search["id"], "status": "degraded_performance"}],
                "body": "Searches are slow.",
                "publish": True,
            },
            "comms_lead",
        )
        await post(
            "/api/v1/incidents",
            {
                "title": "Your API calls fail",
                "impact": "major",
                "visibility": "customers",
                "customers": [acme["id"]],
                "components": [{"id": api["id"], "status": "major_outage"}],
                "body": "Calls to the API fail for your account. Next update within 30 minutes.",
                "publish": True,
            },
            "comms_lead",
        )
    return acme["page_url"].rstrip("/") + "/"  # type: ignore[no-any-return]


@pytest.mark.parametrize(("width", "scheme"), LOOKS)
async def test_a_customers_first_screen_says_whether_its_service_is_ok(
    live_server, browser, keys, width, scheme
):
    url = await _acme_page(live_server, keys)
    context = await browser.new_context(
        viewport={"width": width, "height": 844}, color_scheme=scheme
    )
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(url)

    banner = page.locator(".banner")
    assert "API major outage" in " ".join((await banner.inner_text()).split())
    assert "Search" not in await banner.inner_text()  # not one of Acme's services
    own = page.get_by_role("link", name="Your API calls fail")
    for seen in (banner, own):  # both on the first screen, without scrolling
        box = await seen.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844, await seen.inner_text()

    headings = await page.locator("main h2").all_inner_texts()
    assert headings[:3] == ["Ongoing incidents", "Your services", "Other ongoing incidents"]
    assert headings.index("Other services") > headings.index("Other ongoing incidents")

    # The figure under the bars is for the bars shown: 90 days wide, 30 on a phone, and the
    # API was added today, so the days before are empty slots and the figure says so.
    row = page.locator("li.component", has=page.locator("h3", has_text="API"))
    figure = row.locator(".figure .long" if width > 600 else ".figure .short")
    assert await figure.is_visible()
    assert (await figure.inner_text()).endswith("% uptime since added today")
    assert await row.locator(".no-data:visible").count() > 0
    assert await row.locator(".quiet-days, details.day").count() == 1  # today alone

    results = await Axe().run(page)
    violations = [(v["id"], len(v["nodes"])) for v in results.response["violations"]]
    assert not violations, violations
    await context.close()
