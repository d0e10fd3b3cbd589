import pytest
from tests.browser.test_browser_declare import _world, _sign_in

pytestmark = pytest.mark.browser


async def test_shots(live_server, browser, keys, users):
    _api, hooks, acme = await _world(live_server, keys)
    first = True
    for width in (1280, 390):
        for scheme in ("light", "dark"):
            ctx = await browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page = await ctx.new_page()
            await _sign_in(page, live_server, "lead")
            await page.goto(live_server.url + "/admin/declare")
            await page.screenshot(path=f"/tmp/declare_shots/declare-{width}-{scheme}.png", full_page=True)
            if first:
                await page.get_by_label("Title").fill("Delayed webhooks")
                await page.get_by_label("Affected customers").check()
                await page.get_by_label("API (now operational)").select_option(label="Degraded performance")
                await page.get_by_label("Webhooks (now operational)").select_option(label="Partial outage")
                await page.get_by_label("Acme Logistics").check()
                await page.get_by_role("button", name="Declare and submit for approval").click()
                await page.get_by_text("Declared.").wait_for()
                await page.screenshot(path=f"/tmp/declare_shots/draft-{width}-{scheme}.png", full_page=True)
                first = False
            await page.goto(live_server.url + "/admin/queue")
            await page.screenshot(path=f"/tmp/declare_shots/queue-{width}-{scheme}.png", full_page=True)
            await page.goto(live_server.url + "/admin")
            await page.screenshot(path=f"/tmp/declare_shots/desk-{width}-{scheme}.png", full_page=True)
            await ctx.close()
