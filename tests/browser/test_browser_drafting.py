"""Drafting in a real browser never loses work: what is on the screen is what is sent."""

from __future__ import annotations

import httpx
import pytest

from tests.support.drafting_desk import setup_drafting, sign_in_tab

pytestmark = pytest.mark.browser


async def _drafts(server, keys, incident_id):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=server.url) as http:
        found = await http.get(f"/api/v1/incidents/{incident_id}/drafts", headers=keys["admin"])
    return [d["update"] for d in found.json()]


async def test_words_typed_and_submitted_without_saving_reach_the_queue_for_acme_only(
    live_server, page, keys, sessionmaker
):
    incident, acme = await setup_drafting(live_server, keys, sessionmaker)
    await sign_in_tab(page, live_server, "rita")
    await page.get_by_role("link", name="API errors").click()
    await page.get_by_label("For", exact=True).select_option(label="only Acme")
    await page.get_by_label("Message (Markdown)").fill("My first words. Sorry.")
    # Choosing a template after typing keeps the words, and the reader chosen.
    await page.get_by_label("Start from template").select_option(
        label="First words (investigating)"
    )
    await page.get_by_role("button", name="Use template").click()
    assert await page.get_by_label("Message (Markdown)").input_value() == "My first words. Sorry."
    assert await page.get_by_label("For", exact=True).input_value() == acme["id"]
    typed = "Acme's API calls fail for some. Sorry. Next update within the hour."
    await page.get_by_label("Message (Markdown)").fill(typed)
    await page.get_by_role("button", name="Submit for approval").click()
    await page.get_by_text("Submitted for approval.").wait_for()
    [draft] = await _drafts(live_server, keys, incident["id"])
    assert draft["body"] == typed and draft["customer_id"] == acme["id"]
    assert draft["state"] == "submitted"
