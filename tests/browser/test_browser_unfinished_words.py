"""Unfinished words and kept edits in chromium on a phone (390 px), light and dark: words
still holding a template's `[placeholder]` are refused with the line to fix while the typed
words stay on the form; another writer's draft is read-only with "copy into my draft"; a
time inside published words is shown in the reader's zone. axe-core checks each screen."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

from tests.support.drafting_desk import setup_drafting, sign_in_tab

pytestmark = pytest.mark.browser

PHONE = [(390, "light"), (390, "dark")]
SERIOUS = ("serious", "critical")
TYPED = (
    "API calls fail for some of you, sorry. Next update within the hour.\n\n"
    "[Say which regions are affected.]"
)


async def _phone(browser: Browser, scheme: str, zone: str = "UTC") -> Page:
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, color_scheme=scheme, timezone_id=zone
    )
    page = await context.new_page()
    page.set_default_timeout(10_000)
    return page


async def _serious(page: Page) -> list[tuple[str, int]]:
    results = await Axe().run(page)
    return [
        (v["id"], len(v["nodes"]))
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


async def _too_wide(page: Page) -> list[str]:
    return await page.evaluate(  # type: ignore[no-any-return]
        "() => [...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '.' + e.className)"
    )


@pytest.mark.parametrize(("width", "scheme"), PHONE)
async def test_unfinished_words_are_refused_with_the_line_and_the_typed_words_stay(
    live_server, browser, keys, sessionmaker, width, scheme
):
    incident, _acme = await setup_drafting(live_server, keys, sessionmaker)
    page = await _phone(browser, scheme)
    await sign_in_tab(page, live_server, "rita")
    await page.goto(f"{live_server.url}/admin/incidents/{incident['id']}")
    await page.get_by_label("Message (Markdown)").fill(TYPED)
    await page.get_by_role("button", name="Submit for approval").click()
    alert = page.get_by_role("alert").filter(has_text="still holds a template's placeholder")
    await alert.wait_for()
    assert "line 3" in await alert.inner_text()
    assert "“[Say which regions are affected.]”" in await alert.inner_text()
    assert await page.get_by_label("Message (Markdown)").input_value() == TYPED
    assert await _serious(page) == []
    assert await _too_wide(page) == []

    # Fixed on the same form, the words go through, and the next refusal (an edit on the
    # draft's own page) keeps what was typed there too.
    finished = TYPED.replace("[Say which regions are affected.]", "Europe is affected.")
    await page.get_by_label("Message (Markdown)").fill(finished)
    await page.get_by_role("button", name="Save draft").click()
    await page.get_by_text("Draft saved.").wait_for()
    again = finished + "\n\n### What we are changing\n"
    await page.get_by_label("Message (Markdown)").fill(again)
    await page.get_by_role("button", name="Submit for approval").click()
    await page.get_by_role("alert").filter(has_text="a heading with nothing under it").wait_for()
    assert await page.get_by_label("Message (Markdown)").input_value() == again
    assert await page.get_by_text("Your words below were not saved.").is_visible()
    assert await _serious(page) == []
    assert await _too_wide(page) == []
    await page.context.close()


@pytest.mark.parametrize(("width", "scheme"), PHONE)
async def test_another_writers_draft_is_read_only_and_copies_into_my_own(
    live_server, browser, keys, sessionmaker, width, scheme
):
    incident, _acme = await setup_drafting(live_server, keys, sessionmaker)
    theirs_words = "API calls fail for some of you, sorry. Next update by 15:00 UTC."
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        created = await http.post(
            f"/api/v1/incidents/{incident['id']}/drafts",
            json={"status": "investigating", "body": theirs_words},
            headers=keys["responder"],
        )
        assert created.status_code == 201, created.text
    theirs = created.json()["update"]
    page = await _phone(browser, scheme)
    await sign_in_tab(page, live_server, "rita")
    await page.goto(f"{live_server.url}/admin/updates/{theirs['id']}")
    words = page.get_by_label("Message (read-only)")
    assert await words.input_value() == theirs_words
    assert not await words.is_editable()
    assert await page.get_by_role("button", name="Save and check").count() == 0
    assert await _serious(page) == []
    assert await _too_wide(page) == []

    await page.get_by_role("button", name="Copy into my draft").click()
    await page.get_by_text("Copied into a draft of your own").wait_for()
    mine = page.get_by_label("Message (Markdown)")
    assert await mine.input_value() == theirs_words
    assert await mine.is_editable()
    assert theirs["id"] not in page.url
    assert await _serious(page) == []
    await page.context.close()


@pytest.mark.parametrize(("width", "scheme"), PHONE)
async def test_a_time_inside_the_words_is_shown_in_the_readers_zone(
    live_server, browser, keys, sessionmaker, width, scheme
):
    incident, _acme = await setup_drafting(live_server, keys, sessionmaker)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        published = await http.post(
            f"/api/v1/incidents/{incident['id']}/updates",
            json={
                "status": "investigating",
                "body": "API calls fail, sorry. Next update by 23:30 UTC.",
                "publish": True,
            },
            headers=keys["comms_lead"],
        )
        assert published.status_code == 201, published.text
    page = await _phone(browser, scheme, zone="Asia/Tokyo")
    await page.goto(f"{live_server.url}/incidents/{incident['id']}")
    marked = page.locator(".body time").first
    await page.get_by_text("Times are in your time zone").wait_for()
    shown = await marked.inner_text()
    assert shown.startswith("08:30") and "UTC" not in shown  # 23:30 UTC is 08:30 in Tokyo
    assert await marked.get_attribute("title") == "23:30 UTC"  # as written, one hover away
    assert await _serious(page) == []
    await page.context.close()
