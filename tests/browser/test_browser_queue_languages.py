"""The queue card of an update in three languages, in chromium: on a wide screen the English,
German and Japanese words stand side by side, on a phone (390 px) they stack, none cut off;
light and dark, and axe-core finds nothing serious. Approving publishes all three."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from tests.support.desk import PASSWORD

pytestmark = pytest.mark.browser

SERIOUS = ("serious", "critical")
WORDS = {
    "en": "Some API requests fail. We are on it.",
    "de": "Einige API-Anfragen schlagen fehl. Wir arbeiten daran.",
    "ja": "一部のAPIリクエストが失敗しています。対応中です。",
}


async def _submitted(server, keys) -> str:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=server.url) as http:
        api = await http.post("/api/v1/components", json={"name": "API"}, headers=keys["admin"])
        incident = await http.post(
            "/api/v1/incidents",
            json={"title": "API errors", "components": [{"id": api.json()["id"]}]},
            headers=keys["responder"],
        )
        draft = await http.post(
            f"/api/v1/incidents/{incident.json()['id']}/drafts",
            json={"body": WORDS["en"], "translations": {"de": WORDS["de"], "ja": WORDS["ja"]}},
            headers=keys["responder"],
        )
        assert draft.status_code == 201, draft.text
        draft_id = draft.json()["update"]["id"]
        submitted = await http.post(f"/api/v1/updates/{draft_id}/submit", headers=keys["responder"])
        assert submitted.status_code == 200, submitted.text
    return draft_id  # type: ignore[no-any-return]


async def signed_in_lead(browser, server, width: int, scheme: str) -> Page:  # type: ignore[no-untyped-def]
    """The `users` fixture's comms lead, signed in on a screen `width` px wide."""
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
    return page  # type: ignore[no-any-return]


async def _columns(page: Page) -> list[dict[str, float]]:
    return await page.evaluate(  # type: ignore[no-any-return]
        """() => [...document.querySelectorAll('.language-column')].map(c => {
             const r = c.getBoundingClientRect();
             return {x: r.left, y: r.top, right: r.right, lang: c.lang};
           })"""
    )


async def _axe(page: Page) -> list[tuple[str, int]]:
    results = await Axe().run(page)
    return [
        (v["id"], len(v["nodes"]))
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_queue_card_shows_three_languages_side_by_side_and_stacked_on_a_phone(
    live_server, browser, keys, users, scheme
):
    draft_id = await _submitted(live_server, keys)
    found = {}
    for width in (1280, 390):
        page = await signed_in_lead(browser, live_server, width, scheme)
        await page.goto(live_server.url + "/admin/queue")
        card = page.locator(f"article[aria-labelledby='q-{draft_id}']")
        for language, words in WORDS.items():
            column = card.locator(f".language-column[lang='{language}']")
            assert words in await column.inner_text()
        columns = await _columns(page)
        assert [c["lang"] for c in columns] == ["en", "de", "ja"]
        screen = await page.evaluate("document.documentElement.clientWidth")
        assert all(c["right"] <= screen + 1 for c in columns), "no language is cut off"
        if width == 1280:
            assert len({round(c["y"]) for c in columns}) == 1, "side by side"
        else:
            assert len({round(c["x"]) for c in columns}) == 1, "stacked"
            assert columns[0]["y"] < columns[1]["y"] < columns[2]["y"]
        await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        if problems := await _axe(page):
            found[width] = problems
        await page.context.close()
    assert not found, found


async def test_approving_the_card_publishes_every_language(live_server, browser, keys, users):
    draft_id = await _submitted(live_server, keys)
    page = await signed_in_lead(browser, live_server, 390, "light")
    await page.goto(live_server.url + "/admin/queue")
    card = page.locator(f"article[aria-labelledby='q-{draft_id}']")
    await card.get_by_role("button", name="Approve and publish").click()
    await page.get_by_text("Approved and published.").wait_for()
    await page.context.close()
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        read = await http.get(f"/api/v1/updates/{draft_id}", headers=keys["comms_lead"])
    assert read.json()["update"]["state"] == "published"
    assert read.json()["update"]["translations"] == {"de": WORDS["de"], "ja": WORDS["ja"]}
