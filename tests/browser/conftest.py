"""Browser fixtures: Tidings on a live server, and a fresh chromium tab per test.

Every test here is marked `browser` (`pytestmark = pytest.mark.browser`), so that
`pytest -m "not browser"` (the PostgreSQL run of `make test`) leaves them out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from app.settings import Settings
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import LiveServer


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """Tidings with the test's `settings`, served by uvicorn on a free loopback port."""
    with LiveServer(settings) as server:
        yield server


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A tab in a context of its own (no cookies or storage from other tests)."""
    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(10_000)
    yield page
    await context.close()
