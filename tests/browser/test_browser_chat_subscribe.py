"""The subscribe page's Slack option in chromium: try the URL with the test button, see the
answer, then subscribe; axe-core on the page as the test button leaves it, light and dark."""

from __future__ import annotations

import pytest
from axe_playwright_python.async_playwright import Axe
from slack_sdk.models.blocks import Block

pytestmark = [
    pytest.mark.browser,
    pytest.mark.settings(run_worker=True, worker_poll_seconds=0.05, webhook_allow_private=True),
]


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (390, "dark")])
async def test_a_reader_tries_a_slack_url_then_subscribes_with_it(
    live_server, browser, receiver, width, scheme
):
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(live_server.url + "/subscribe")

    await page.get_by_role("radio", name="Slack").check()
    await page.get_by_label("URL", exact=True).fill(receiver.url)
    await page.get_by_role("button", name="Send a test message").click()

    result = page.locator("#test-result")
    assert "The test message was sent: Slack answered HTTP 200" in await result.inner_text()
    body = receiver.received[0].json()
    for block in body["blocks"]:
        Block.parse(block).validate_json()
    # The form came back as it was: Slack still chosen, the URL still there.
    assert await page.get_by_role("radio", name="Slack").is_checked()
    assert await page.get_by_label("URL", exact=True).input_value() == receiver.url
    results = await Axe().run(page)
    assert not results.violations_count, results.response["violations"]

    receiver.script = [404]
    await page.get_by_role("button", name="Send a test message").click()
    assert "did not arrive: Slack answered HTTP 404" in await result.inner_text()

    await page.get_by_role("button", name="Send updates here").click()
    status = await page.locator("main [role=status]").inner_text()
    assert "first message to your Slack channel" in status
    await context.close()
