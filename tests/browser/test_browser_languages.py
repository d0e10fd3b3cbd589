"""The outside pages in a German and a Japanese browser: chromium sends its language, the
page answers in it (words, dates, `<html lang>`), nothing runs off a phone's screen, axe
finds nothing, and subscribing records the reader's language."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page
from sqlalchemy import select

from app.subscribers.models import Subscriber
from tests.support.polling import eventually

pytestmark = [pytest.mark.browser]

# locale, what the page says in it, the subscribe button, the answer after subscribing
SPEAKS = {
    "de-DE": ("de", "Teilausfall", "Abonnieren", "Bestätigungslink"),
    "ja-JP": ("ja", "部分的な障害", "購読する", "確認リンク"),
}


async def _world(url: str, keys) -> str:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=url) as api:
        component = await api.post(
            "/api/v1/components",
            json={"name": "Zahlungsabwicklungsschnittstelle"},
            headers=keys["admin"],
        )
        created = await api.post(
            "/api/v1/incidents",
            json={
                "title": "Payments fail",
                "body": "We are looking into failed payments.",
                "publish": True,
                "components": [{"id": component.json()["id"], "status": "partial_outage"}],
            },
            headers=keys["comms_lead"],
        )
        assert created.status_code == 201, created.text
        return str(created.json()["id"])


async def _fits(page: Page) -> bool:
    """Nothing is wider than the screen (long German words and Japanese lines wrap)."""
    return bool(
        await page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


@pytest.mark.parametrize("locale", ["de-DE", "ja-JP"])
@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (390, "dark")])
async def test_a_reader_whose_browser_speaks_it_reads_and_subscribes_in_their_language(
    live_server, browser, keys, db, locale, width, scheme
):
    language, status_words, subscribe, answer = SPEAKS[locale]
    incident_id = await _world(live_server.url, keys)
    context = await browser.new_context(
        locale=locale,
        timezone_id="Asia/Tokyo" if language == "ja" else "Europe/Berlin",
        viewport={"width": width, "height": 900},
        color_scheme=scheme,
    )
    page = await context.new_page()
    page.set_default_timeout(10_000)

    await page.goto(live_server.url + "/")
    assert await page.locator("html").get_attribute("lang") == language
    assert status_words in await page.locator("main").inner_text()
    current = page.locator("nav.languages [aria-current]")
    assert await current.get_attribute("lang") == language
    assert await _fits(page)
    results = await Axe().run(page)
    assert not results.violations_count, results.response["violations"]

    await page.goto(f"{live_server.url}/incidents/{incident_id}")
    assert await page.locator("html").get_attribute("lang") == language
    # localtime.js wrote the times in the reader's zone, in the page's language.
    note = await page.locator("#zone-note").inner_text()
    assert ("Zeitzone" if language == "de" else "タイムゾーン") in note
    assert await _fits(page)
    results = await Axe().run(page)
    assert not results.violations_count, results.response["violations"]

    await page.goto(live_server.url + "/subscribe")
    await page.locator("#email").fill(f"{language}@example.org")
    await page.get_by_role("button", name=subscribe, exact=True).click()
    assert answer in await page.locator("main").inner_text()
    assert await _fits(page)
    results = await Axe().run(page)
    assert not results.violations_count, results.response["violations"]

    async def recorded() -> bool:
        found = await db.scalar(
            select(Subscriber.language).where(Subscriber.address == f"{language}@example.org")
        )
        return found == language

    assert await eventually(recorded)
    await context.close()


async def test_a_reader_switches_language_and_the_next_page_keeps_it(live_server, browser, keys):
    await _world(live_server.url, keys)
    context = await browser.new_context(locale="de-DE")
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(live_server.url + "/")
    await page.locator("nav.languages").get_by_role("link", name="日本語").click()
    assert await page.locator("html").get_attribute("lang") == "ja"
    await page.get_by_role("link", name="履歴").first.click()
    assert await page.locator("html").get_attribute("lang") == "ja"
    assert "障害履歴" in await page.locator("h1").inner_text()
    await context.close()
