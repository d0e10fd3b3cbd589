"""Maintenance and customers from the desk in a real browser: a responder schedules a window
a minute or two ahead with its words, a comms lead approves them, and the "in progress"
words appear on the public page by themselves when the window opens (the worker runs in the
server; the clock is moved rather than waited for). An admin adds a customer with its
components and rotates its link. axe-core checks the new pages."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from app.accounts.models import Role
from app.accounts.service import create_user
from app.lib.clock import utcnow
from tests.support.polling import eventually

pytestmark = pytest.mark.browser

PASSWORD = "desk-password-1"
SERIOUS = ("serious", "critical")


async def _users(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        for name, role in (
            ("rita", Role.RESPONDER),
            ("lead", Role.COMMS_LEAD),
            ("ada", Role.ADMIN),
        ):
            await create_user(session, username=name, password=PASSWORD, role=role)
        await session.commit()


async def _sign_in(page, server, name: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(server.url + "/admin/sign-in")
    await page.get_by_label("User name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Desk").wait_for()


async def _serious(page) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    results = await Axe().run(page)
    return [
        (v["id"], len(v["nodes"]))
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


@pytest.mark.settings(run_worker=True, worker_poll_seconds=0.1)
async def test_approved_in_progress_words_appear_on_the_public_page_by_themselves_at_the_start(
    live_server, browser, keys, sessionmaker, clock
):
    await _users(sessionmaker)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        made = await http.post("/api/v1/components", json={"name": "API"}, headers=keys["admin"])
        assert made.status_code == 201
    # The form takes minutes: a start one to two minutes ahead.
    start = (utcnow() + timedelta(minutes=2)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=30)

    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await _sign_in(page, live_server, "rita")
    await page.get_by_role("link", name="Maintenance").click()
    form = page.get_by_role("region", name="Schedule maintenance")
    await form.get_by_label("Title").fill("Database upgrade")
    await form.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    await form.get_by_label("Ends").fill(end.strftime("%Y-%m-%dT%H:%M"))
    await form.get_by_label("API").check()
    await form.get_by_label("Words when scheduled").fill("We will upgrade the database today.")
    await form.get_by_label("Words at the start").fill("The database upgrade has started.")
    await form.get_by_label("Words at the end").fill("The database upgrade is complete.")
    await form.get_by_role("button", name="Schedule").click()
    await page.get_by_text("Scheduled. Each moment's words go out").wait_for()
    window_url = page.url.split("?")[0]
    assert await _serious(page) == []
    await context.close()

    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await _sign_in(page, live_server, "lead")
    await page.goto(window_url)
    for name in (
        "Approve scheduled words and publish now",
        "Approve in progress words",
        "Approve completed words",
    ):
        await page.get_by_role("button", name=name).click()
        await page.get_by_role("status").wait_for()
    plan = page.get_by_role("region", name="What will be published, and when")
    said = await plan.inner_text()
    assert f"Goes out by itself at {start:%b} {start.day}, {start:%H:%M} UTC" in said
    assert "Published" in said  # the announcement, at approval
    # What this page adds fits a phone (the header is the desk's own, shared by every page).
    assert await page.evaluate("document.querySelector('main').scrollWidth") <= 390
    assert await _serious(page) == []

    incident_id = window_url.rstrip("/").rsplit("/", 1)[1]
    public = await context.new_page()
    await public.goto(f"{live_server.url}/incidents/{incident_id}")
    before = await public.locator("main").inner_text()
    assert "upgrade the database today" in before and "has started" not in before

    clock.advance(minutes=2, seconds=5)  # the window opens; nobody touches anything

    async def shows_the_start() -> bool:
        await public.reload()
        return "The database upgrade has started." in await public.locator("main").inner_text()

    assert await eventually(shows_the_start, seconds=10, interval=0.3), "nothing was published"
    await page.reload()
    after = await page.get_by_role("region", name="What will be published, and when").inner_text()
    assert "Published" in after and "approved by lead" in after
    await context.close()


async def test_an_admin_adds_a_customer_with_components_and_rotates_its_link(
    live_server, browser, keys, sessionmaker
):
    await _users(sessionmaker)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        for name in ("API", "Dashboard"):
            made = await http.post("/api/v1/components", json={"name": name}, headers=keys["admin"])
            assert made.status_code == 201
    context = await browser.new_context(color_scheme="dark")
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await _sign_in(page, live_server, "ada")
    await page.get_by_role("link", name="Customers").click()
    await page.get_by_role("link", name="New customer").click()
    await page.get_by_label("Name").fill("Acme Logistics")
    await page.get_by_label("API").check()
    await page.get_by_role("button", name="Add customer").click()
    await page.get_by_text("Added Acme Logistics.").wait_for()
    old = await page.locator(".secret-link a").inner_text()
    async with httpx.AsyncClient() as http:
        assert (await http.get(old)).status_code == 200
        await page.get_by_role("button", name="Make a new link").click()
        await page.get_by_text("The old link no longer opens their page").wait_for()
        new = await page.locator(".secret-link a").inner_text()
        assert await _serious(page) == []
        assert new != old
        assert (await http.get(old)).status_code == 404
        assert (await http.get(new)).status_code == 200
    await page.get_by_role("link", name="All customers").click()
    listed = await page.get_by_role("table").inner_text()
    assert "Acme Logistics" in listed and "API" in listed and "Dashboard" not in listed
    await context.close()
