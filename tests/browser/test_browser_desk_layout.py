"""Every page of the admin desk in chromium at 1280 px and 390 px, light and dark: nothing
scrolls sideways on a phone, the tab title is plain words, axe-core finds no serious or
critical violation, and a queue card's "Approve and publish" is near its top."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.async_playwright import Axe

from tests.support.desk_world import build_desk_world, desk_pages, signed_in_lead

pytestmark = pytest.mark.browser

LOOKS = [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]


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
    world = await build_desk_world(live_server, keys, sessionmaker)
    page = await signed_in_lead(browser, live_server, width, scheme)
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
    await build_desk_world(live_server, keys, sessionmaker)
    page = await signed_in_lead(browser, live_server, 390, scheme)
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
