"""The promise on a phone (390 px, light and dark): a queue card on an overdue incident says
since when, the lead picks the next update in the approve form and publishes it; the
incident's desk page says it is overdue, and the declare form offers the picker. axe-core
finds no serious or critical violation, and nothing scrolls sideways."""

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

PASSWORD = "desk-password-1"
TITLE = "Checkout fails for some card payments in the EU"


async def _world(server, keys, sessionmaker) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A comms lead; a major incident whose promised update is 20 minutes late, with a
    draft waiting in the queue."""
    async with sessionmaker() as session:
        await create_user(session, username="lead", password=PASSWORD, role=Role.COMMS_LEAD)
        await session.commit()
    async with httpx.AsyncClient(base_url=server.url) as http:

        async def post(path: str, body: dict | None = None, role: str = "comms_lead") -> dict:  # type: ignore[type-arg]
            response = await http.post(path, json=body, headers=keys[role])
            assert response.status_code in (200, 201), response.text
            return response.json()  # type: ignore[no-any-return]

        incident = await post("/api/v1/incidents", {"title": TITLE, "impact": "major"})
        late = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
        await post(
            f"/api/v1/incidents/{incident['id']}/updates",
            {
                "status": "investigating",
                "body": "Payments fail.",
                "publish": True,
                "next_update_at": late,
            },
        )
        draft = await post(
            f"/api/v1/incidents/{incident['id']}/drafts",
            {"body": "A fix is rolling out; payments recover."},
            "responder",
        )
        await post(f"/api/v1/updates/{draft['update']['id']}/submit", role="responder")
    return {"incident": incident["id"], "draft": draft["update"]["id"]}


async def _signed_in(browser: Browser, server, scheme: str) -> Page:  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
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


async def _fits_and_passes_axe(page: Page) -> None:
    scroll_width, client_width, wider = await page.evaluate(SIDEWAYS)
    assert scroll_width <= client_width, wider
    results = await Axe().run(page)
    serious = [
        (v["id"], [n["html"][:80] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_on_a_phone_the_lead_sees_the_overdue_line_and_picks_the_next_update(
    live_server, browser, keys, sessionmaker, scheme
):
    world = await _world(live_server, keys, sessionmaker)
    page = await _signed_in(browser, live_server, scheme)

    await page.goto(f"{live_server.url}/admin/incidents/{world['incident']}")
    await page.get_by_text(re.compile(r"Overdue since \d\d:\d\d UTC")).first.wait_for()
    await _fits_and_passes_axe(page)

    await page.get_by_text("Menu").click()  # the desk's links fold on a phone
    await page.get_by_role("link", name="Queue").click()
    card = page.get_by_role("article", name=re.compile("Checkout fails"))
    await card.get_by_text(re.compile(r"Overdue since \d\d:\d\d UTC")).wait_for()
    picker = card.get_by_role("combobox", name="Next update")
    assert await picker.input_value() == "30"  # the default for a major incident
    box = await picker.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    await _fits_and_passes_axe(page)
    await picker.select_option("15")
    await card.get_by_role("button", name="Approve and publish").click()
    await page.get_by_text("Approved and published.").wait_for()

    async with httpx.AsyncClient(base_url=live_server.url) as http:
        got = (
            await http.get(f"/api/v1/incidents/{world['incident']}", headers=keys["responder"])
        ).json()
    due = datetime.fromisoformat(got["next_update_at"])
    assert timedelta(minutes=13) < due - datetime.now(UTC) <= timedelta(minutes=15)
    await page.goto(f"{live_server.url}/admin/incidents/{world['incident']}")
    assert await page.get_by_text("Overdue since").count() == 0

    await page.goto(f"{live_server.url}/admin/declare")
    declare_picker = page.get_by_role("combobox", name="Next update")
    await declare_picker.select_option("at")
    await page.get_by_label(re.compile("Time of the next update")).fill("23:45")
    await _fits_and_passes_axe(page)
    await page.context.close()
