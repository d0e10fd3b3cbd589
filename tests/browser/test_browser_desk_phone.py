"""The desk on a phone (390 px, light and dark): its links fold under "Menu", and every
table shows all its columns, each row stacked with its columns' names, none cut off."""

from __future__ import annotations

import pytest

from tests.support.desk_world import build_desk_world, desk_pages, signed_in_lead

pytestmark = pytest.mark.browser

# Table cells that reach past the screen's edge, or sit hidden in a scrolled box.
CLIPPED = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('main td, main th')].filter(c => !c.closest('thead'))
    .filter(c => c.offsetParent !== null)
    .filter(c => {
      const r = c.getBoundingClientRect();
      return r.right > width + 1 || r.left < -1;
    })
    .slice(0, 3).map(c => c.outerHTML.slice(0, 80));
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_on_a_phone_the_desk_menu_folds_and_no_table_clips_a_column(
    live_server, browser, keys, sessionmaker, app, scheme
):
    world = await build_desk_world(live_server, keys, sessionmaker)
    page = await signed_in_lead(browser, live_server, 390, scheme)

    queue = page.get_by_role("link", name="Queue", exact=True)
    assert not await queue.is_visible()  # folded
    menu = page.locator("details.desk-menu > summary")
    box = await menu.bounding_box()
    assert box is not None and box["y"] < 120  # the menu sits at the top
    await menu.click()
    assert await queue.is_visible()

    clipped = {}
    for path in desk_pages(app, world):
        await page.goto(live_server.url + path)
        await page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
        cells = await page.evaluate(CLIPPED)
        if cells:
            clipped[path] = cells
    assert not clipped, clipped

    # A stacked row names each value's column.
    await page.goto(live_server.url + "/admin")
    cell = page.locator("main table tbody td").first
    assert await cell.get_attribute("data-label") == "Incident"
    await page.context.close()


async def test_on_a_wide_screen_the_desk_links_stay_in_a_row(
    live_server, browser, keys, sessionmaker
):
    await build_desk_world(live_server, keys, sessionmaker)
    page = await signed_in_lead(browser, live_server, 1280, "light")
    assert await page.get_by_role("link", name="Queue", exact=True).is_visible()
    assert not await page.locator("details.desk-menu").is_visible()
    await page.context.close()
