"""A customer's own site, on another origin, with our `<script src=".../embed.js">`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support.browser import json_read, watch_json_reads

pytestmark = pytest.mark.browser


class _CustomerSite:
    """A tiny web server on loopback: the customer's own page, embedding our script."""

    def __init__(self, status_url: str) -> None:
        html = (
            "<!doctype html><html><head><title>Acme shop</title></head><body>"
            "<h1>Acme shop</h1>"
            f'<script src="{status_url}/embed.js" async></script>'
            "</body></html>"
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, *_args: object) -> None:
                pass

        # `localhost`, not 127.0.0.1: another origin than the status page's.
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _CustomerSite:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def customer_site(live_server) -> Iterator[_CustomerSite]:
    with _CustomerSite(live_server.url) as site:
        yield site


async def test_the_banner_shows_an_active_incident_and_can_be_dismissed(
    live_server,
    customer_site,
    page,
    keys,
):
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        incident = (
            await http.post(
                "/api/v1/incidents",
                json={
                    "title": "Checkout errors",
                    "impact": "major",
                    "body": "Some payments fail. Next update in 30 minutes.",
                    "publish": True,
                },
                headers=keys["comms_lead"],
            )
        ).json()
    await watch_json_reads(page)
    await page.goto(customer_site.url)
    banner = page.locator("[data-tidings-banner]")
    await banner.wait_for()
    text = await banner.inner_text()
    assert "Checkout errors" in text
    assert "Some payments fail" in text
    link = banner.get_by_role("link", name="View status")
    assert await link.get_attribute("href") == f"{live_server.url}/incidents/{incident['id']}"
    await banner.get_by_role("button", name="Dismiss status banner").click()
    assert await banner.count() == 0
    # Dismissed stays dismissed on the next visit, until something new is posted.
    await page.reload()
    await json_read(page)  # the script has read the summary and decided
    assert await banner.count() == 0


async def test_no_banner_while_all_is_well(live_server, customer_site, page):
    await watch_json_reads(page)
    async with page.expect_response(lambda r: r.url.endswith("/summary.json")) as answer:
        await page.goto(customer_site.url)
    assert (await answer.value).ok
    await json_read(page)  # the script has read the summary and decided
    assert await page.locator("[data-tidings-banner]").count() == 0
