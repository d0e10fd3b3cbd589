"""The public and customer pages in chromium at 1280 px and 390 px, light and dark: what
a customer sees first, day detail by keyboard, maintenance phases, the reader's own time
zone, and axe-core on every public page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

pytestmark = pytest.mark.browser

LOOKS = [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]


async def _world(server, keys) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Three components in two groups; Acme uses the API; a resolved incident on the API
    three days ago, an ongoing one on Search, and a maintenance window three days away."""
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
        now = datetime.now(UTC)
        past = await post(
            "/api/v1/incidents",
            {
                "title": "Elevated API errors",
                "impact": "major",
                "started_at": (now - timedelta(days=3)).isoformat(),
                "components": [{"id": api["id"], "status": "partial_outage"}],
                "body": "Some requests fail.",
                "publish": True,
            },
            "comms_lead",
        )
        await post(
            f"/api/v1/incidents/{past['id']}/updates",
            {"status": "resolved", "body": "Fixed.", "publish": True},
            "comms_lead",
        )
        ongoing = await post(
            "/api/v1/incidents",
            {
                "title": "Slow search",
                "components": [{"id": search["id"], "status": "degraded_performance"}],
                "body": "Searches are slow.",
                "publish": True,
            },
            "comms_lead",
        )
        start = (now + timedelta(days=3)).replace(microsecond=0)
        window = await post(
            "/api/v1/maintenances",
            {
                "title": "API database upgrade",
                "scheduled_for": start.isoformat(),
                "scheduled_until": (start + timedelta(hours=2)).isoformat(),
                "components": [{"id": api["id"], "status": "under_maintenance"}],
                "body": "Read-only for five minutes.",
                "publish": True,
            },
            "comms_lead",
        )
    return {
        "acme": acme["page_url"].rstrip("/"),
        "past": past["id"],
        "ongoing": ongoing["id"],
        "window": window["id"],
    }


async def _page(browser: Browser, width: int, scheme: str, zone: str = "UTC") -> Page:
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, timezone_id=zone
    )
    page = await context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.mark.parametrize(("width", "scheme"), LOOKS)
async def test_a_customer_page_shows_its_own_services_first(
    live_server,
    browser,
    keys,
    width,
    scheme,
):
    world = await _world(live_server, keys)
    page = await _page(browser, width, scheme)
    await page.goto(world["acme"] + "/")
    assert await page.title() == "Acme Logistics — service status"
    yours = page.locator("section", has=page.get_by_role("heading", name="Your services"))
    assert await yours.locator(".component-name").all_inner_texts() == ["API"]
    headings = await page.locator("main h2").all_inner_texts()
    assert headings.index("Your services") < headings.index("Other services")
    others = page.locator("details.others")
    assert not await others.evaluate("d => d.open")  # the others are folded
    dashboard = others.locator(".component-name", has_text="Dashboard")
    assert not await dashboard.is_visible()
    await others.locator("summary").first.click()
    await others.locator("details.group summary").first.click()  # its group folds too
    assert await dashboard.is_visible()
    await page.context.close()


@pytest.mark.parametrize(("width", "scheme"), LOOKS)
async def test_a_days_detail_opens_with_the_keyboard_and_links_its_incident(
    live_server,
    browser,
    keys,
    width,
    scheme,
):
    world = await _world(live_server, keys)
    page = await _page(browser, width, scheme)
    await page.goto(live_server.url + "/")
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    day = page.locator(f"details.day[id$='{three_days_ago}']").first
    group = page.locator("details.group", has=day)
    assert not await group.evaluate("g => g.open")  # all operational now: folded
    for _ in range(80):  # Tab through the page, unfolding the group, to the day's bar
        await page.keyboard.press("Tab")
        if await group.locator("summary").first.evaluate("s => s === document.activeElement"):
            await page.keyboard.press("Enter")
        if await day.locator("summary").evaluate("s => s === document.activeElement"):
            break
    else:
        raise AssertionError("the day's bar is not reachable with Tab")
    link = day.get_by_role("link", name="Elevated API errors")
    assert not await link.is_visible()
    await page.keyboard.press("Enter")
    assert await link.is_visible()
    assert "Partial outage" in await day.locator(".day-detail").inner_text()
    await link.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/incidents/{world['past']}")
    await page.context.close()


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (390, "dark")])
async def test_a_window_three_days_away_is_scheduled_everywhere(
    live_server,
    browser,
    keys,
    width,
    scheme,
):
    world = await _world(live_server, keys)
    page = await _page(browser, width, scheme)
    for path in ("/", world["acme"] + "/", f"/incidents/{world['window']}"):
        await page.goto(path if path.startswith("http") else live_server.url + path)
        text = await page.locator("main").inner_text()
        assert "Scheduled" in text, path
        assert "Under maintenance" not in text, path
        assert "In progress" not in text, path
    await page.goto(live_server.url + f"/incidents/{world['window']}")
    affected = await page.locator(".affected").inner_text()
    assert "API" in affected and "Scheduled" in affected
    await page.goto(live_server.url + "/")
    card = page.locator("article.maintenance")
    assert "in 2 days" in await card.inner_text() or "in 3 days" in await card.inner_text()
    await page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_readers_time_zone_changes_the_times_shown(
    live_server,
    browser,
    keys,
    width,
):
    world = await _world(live_server, keys)
    shown = {}
    for zone in ("UTC", "Asia/Tokyo"):
        page = await _page(browser, width, "light", zone)
        await page.goto(live_server.url + f"/incidents/{world['window']}")
        shown[zone] = await page.locator(".facts time").first.inner_text()
        note = await page.locator("#zone-note").inner_text()
        await page.context.close()
        if zone == "UTC":
            assert shown[zone].endswith("UTC") and note == "Times are in UTC."
        else:
            assert "GMT+9" in shown[zone] and "GMT+9" in note
    assert shown["UTC"] != shown["Asia/Tokyo"]


@pytest.mark.parametrize(("width", "scheme"), LOOKS)
async def test_axe_finds_no_violations_on_any_public_page(
    live_server,
    browser,
    keys,
    width,
    scheme,
):
    world = await _world(live_server, keys)
    page = await _page(browser, width, scheme)
    axe = Axe()
    paths = [
        "/",
        "/history",
        "/subscribe",
        f"/incidents/{world['past']}",
        f"/incidents/{world['ongoing']}",
        f"/incidents/{world['window']}",
        world["acme"] + "/",
        world["acme"] + "/history",
        world["acme"] + "/subscribe",
        world["acme"] + f"/incidents/{world['past']}",
    ]
    found = {}
    for path in paths:
        await page.goto(path if path.startswith("http") else live_server.url + path)
        # Open every fold and every day, so what they hide is checked too.
        await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        results = await axe.run(page)
        if results.violations_count:
            found[path] = [(v["id"], len(v["nodes"])) for v in results.response["violations"]]
    await page.context.close()
    assert not found, found
