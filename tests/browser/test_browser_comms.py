"""The comms desk in a real browser: draft from a template, approve, see it published."""

from __future__ import annotations

import pytest

from tests.support.drafting_desk import setup_drafting, sign_in_tab

pytestmark = pytest.mark.browser


async def _sign_out(tab):  # type: ignore[no-untyped-def]
    await tab.get_by_role("button", name="Sign out").click()
    await tab.get_by_role("heading", name="Sign in").wait_for()


async def test_a_draft_from_a_template_is_approved_by_another_person_and_published(
    live_server,
    page,
    keys,
    sessionmaker,
):
    incident, acme = await setup_drafting(live_server, keys, sessionmaker)
    await sign_in_tab(page, live_server, "rita")
    await page.get_by_role("link", name="API errors").click()
    await page.get_by_label("Start from template").select_option(
        label="First words (investigating)"
    )
    await page.get_by_role("button", name="Use template").click()
    findings = page.get_by_role("list", name="Tone findings", exact=True)
    assert "apology" in await findings.inner_text()  # a major incident says sorry
    body = await page.get_by_label("Message (Markdown)").input_value()
    assert body.startswith("Since ") and "API fails for some of you" in body
    await page.get_by_label("Message (Markdown)").fill("We're sorry. " + body)
    await page.get_by_role("button", name="Save draft").click()
    assert "No tone findings." in await page.locator("main").inner_text()
    await page.get_by_role("button", name="Submit for approval").click()
    await page.get_by_text("Submitted for approval.").wait_for()
    await _sign_out(page)

    await sign_in_tab(page, live_server, "lead")
    await page.get_by_role("link", name="Queue").click()
    queue = await page.locator("main").inner_text()
    assert "API errors" in queue and "Acme" in queue and "written by rita" in queue
    await page.get_by_role("button", name="Approve and publish").click()
    await page.get_by_text("Approved and published.").wait_for()
    assert "Nothing waiting" in await page.locator("main").inner_text()

    await page.goto(f"{live_server.url}/incidents/{incident['id']}")
    assert "We're sorry. Since" in await page.locator("main").inner_text()
    await page.goto(f"{acme['page_url']}incidents/{incident['id']}")
    assert "We're sorry. Since" in await page.locator("main").inner_text()


async def test_a_rejection_reaches_the_author(live_server, page, keys, sessionmaker):
    await setup_drafting(live_server, keys, sessionmaker)
    await sign_in_tab(page, live_server, "rita")
    await page.get_by_role("link", name="API errors").click()
    await page.get_by_label("Message (Markdown)").fill("db-3.internal is down, see OPS-12.")
    live = page.get_by_role("list", name="Live tone findings")
    await live.get_by_text("OPS-12").wait_for()  # checked while typing, before saving
    await page.get_by_role("button", name="Save draft").click()
    assert "OPS-12" in await page.get_by_role("list", name="Tone findings", exact=True).inner_text()
    await page.get_by_role("button", name="Submit for approval").click()
    await page.get_by_text("Submitted for approval.").wait_for()
    await _sign_out(page)

    await sign_in_tab(page, live_server, "lead")
    await page.goto(live_server.url + "/admin/queue")
    await page.get_by_label("Reason").fill("Say what customers notice, not our host names.")
    await page.get_by_role("button", name="Send back").click()
    await page.get_by_text("Sent back to its author.").wait_for()
    await _sign_out(page)

    await sign_in_tab(page, live_server, "rita")
    desk = await page.locator("main").inner_text()
    assert "Sent back by lead: Say what customers notice, not our host names." in desk
