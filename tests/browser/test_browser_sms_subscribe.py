"""Subscribing by SMS in chromium, on a phone, light and dark: give a number, get the code
texted (through a local Twilio), type it, and be told what was subscribed; axe-core finds
nothing serious on either page."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from axe_playwright_python.async_playwright import Axe

from tests.support.polling import eventually

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(base_settings, twilio):
    return replace(base_settings, run_worker=True, worker_poll_seconds=0.05, **twilio.settings())


def serious(results) -> list[dict]:  # type: ignore[no-untyped-def]
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_a_reader_on_a_phone_subscribes_by_sms_with_the_code_texted_to_them(
    live_server, browser, twilio, scheme
):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(live_server.url + "/subscribe")
    sms = page.get_by_role("region", name="By SMS")
    await sms.get_by_label("Mobile number, with its country code").fill("+1 415 555 0100")
    await sms.get_by_role("button", name="Text me a code").click()

    await page.get_by_label("Code").wait_for()
    assert "a code is on its way to +1 415 555 0100" in await page.locator("main").inner_text()
    assert not serious(await Axe().run(page))
    assert await eventually(lambda: len(twilio.sent) == 1, seconds=10), "no code was texted"
    code = re.match(r"(\d{6}) is your code", twilio.sent[0].body)
    assert code is not None, twilio.sent[0].body

    await page.get_by_label("Code").fill(code.group(1))
    await page.get_by_role("button", name="Confirm").click()

    done = page.get_by_role("status")
    await done.wait_for()
    assert "Confirmed. +1 415 555 0100 will get" in await done.inner_text()
    assert not serious(await Axe().run(page))
    sideways = await page.evaluate("document.documentElement.scrollWidth > innerWidth")
    assert not sideways
    await context.close()
