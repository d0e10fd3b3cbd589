"""Debian's chromium driven by Playwright (Playwright cannot download its own browser here).

The `browser` and `page` fixtures in tests/browser/conftest.py use these.
"""

from __future__ import annotations

from playwright.async_api import Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Marks the page once a script has read a JSON answer and the tasks that answer queued have
# run: `.json()` resolves, the script's own `.then` runs next, then this timer fires.
_JSON_READ = """
(() => {
  const json = Response.prototype.json;
  window.__jsonRead = 0;
  Response.prototype.json = function () {
    return json.call(this).then((value) => {
      setTimeout(() => { window.__jsonRead += 1; }, 0);
      return value;
    });
  };
})();
"""


async def watch_json_reads(page: Page) -> None:
    """Count, on every document this page opens, the JSON answers its scripts have read."""
    await page.add_init_script(_JSON_READ)


async def json_read(page: Page, count: int = 1) -> None:
    """Wait until the page's scripts have read `count` JSON answers and acted on them."""
    await page.wait_for_function(f"window.__jsonRead >= {count}")
