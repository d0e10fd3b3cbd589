"""Subscribing from the status page in a real browser, confirmed from the email it sends."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.polling import eventually

pytestmark = [pytest.mark.browser, pytest.mark.settings(run_worker=True, worker_poll_seconds=0.05)]


async def test_a_reader_subscribes_confirms_from_the_email_and_gets_the_next_update(
    live_server,
    page,
    keys,
    smtp,
):
    await page.goto(live_server.url + "/")
    await page.get_by_role("link", name="Subscribe").first.click()
    await page.get_by_label("Email address").fill("reader@example.org")
    await page.get_by_role("button", name="Subscribe").click()
    assert "confirmation link" in await page.locator("main").inner_text()

    assert await eventually(lambda: len(smtp.to("reader@example.org")) >= 1)
    text = smtp.to("reader@example.org")[0].get_body(("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:\d+/subscribe/confirm/\S+", text).group(0)
    await page.goto(link)
    await page.get_by_role("button", name="Confirm subscription").click()
    assert "Subscription confirmed" in await page.locator("main").inner_text()

    async with httpx.AsyncClient(base_url=live_server.url) as api:
        created = await api.post(
            "/api/v1/incidents",
            json={"title": "Login errors", "body": "Looking into it.", "publish": True},
            headers=keys["comms_lead"],
        )
        assert created.status_code == 201, created.text
    assert await eventually(lambda: len(smtp.to("reader@example.org")) >= 2)
    assert smtp.to("reader@example.org")[1]["Subject"] == "[Example] Investigating: Login errors"
