"""The German and the Japanese update email, rendered by chromium on a phone, light and dark:
nothing wider than the screen, the heading and the link readable by their names, and
axe-core finding nothing serious. Screenshots go to test-artifacts/ for a person to read."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe

from tests.support.update_email import send_update

pytestmark = [pytest.mark.browser, pytest.mark.settings(time_zone="Europe/Paris")]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
THEME = Path(__file__).resolve().parents[2] / "themes" / "default"
LINK = {"de": "Diese Störung auf der Statusseite ansehen", "ja": "ステータスページでこの障害を見る"}


def serious(results) -> list[dict]:  # type: ignore[no-untyped-def]
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["de", "ja"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_update_email_in_german_and_japanese_reads_well_on_a_phone(
    client, keys, smtp, worker, browser, language, scheme
):
    html, _text = await send_update(
        client, keys, smtp, worker, customer="Acme Logistics", language=language
    )
    context = await browser.new_context(viewport={"width": 390, "height": 900}, color_scheme=scheme)
    page = await context.new_page()
    logo = (THEME / "logo.png").read_bytes()
    await page.route("**/theme/logo.png", lambda route: route.fulfill(body=logo))
    await page.set_content(html)
    assert await page.evaluate("document.documentElement.lang") == language
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the email is wider than the phone"
    assert await page.get_by_role("heading", name="Elevated API errors").is_visible()
    assert await page.get_by_role("link", name=LINK[language]).is_visible()
    assert not serious(await Axe().run(page))
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(
        path=str(ARTIFACTS / f"email-{language}-390-{scheme}.png"), full_page=True
    )
    await context.close()
