"""The HTML part of an update email, rendered by chromium at phone and desktop widths.

Screenshots go to test-artifacts/ (not versioned) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.update_email import send_update

pytestmark = [pytest.mark.browser, pytest.mark.settings(time_zone="Europe/Paris")]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
THEME = Path(__file__).resolve().parents[2] / "themes" / "default"


@pytest.mark.parametrize("width", [390, 700])
@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_update_email_fits_the_screen_and_reads_at_a_glance(
    client,
    keys,
    smtp,
    worker,
    browser,
    width,
    scheme,
):
    html, _text = await send_update(client, keys, smtp, worker, customer="Acme Logistics")
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    page = await context.new_page()
    # The logo lives on the status page's host; serve it from the theme folder.
    logo = (THEME / "logo.png").read_bytes()
    await page.route("**/theme/logo.png", lambda route: route.fulfill(body=logo))
    await page.set_content(html)
    assert await page.evaluate("document.scripts.length") == 0
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the email is wider than {width} px"
    title = page.get_by_role("heading", name="Elevated API errors")
    assert await title.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"email-{width}-{scheme}.png"), full_page=True)
    await context.close()
