"""Page weight of the front page: every request a browser makes, compressed, and its DOM size.

Run with `.venv/bin/python -m bench.page_weight`. It loads the demo data into a fresh SQLite
database, serves it on loopback with uvicorn and opens `/` in Debian's chromium at 1280 px
and 390 px. For each response it counts the bytes on the wire and what they weigh gzipped
(level 6, what a reverse proxy would send when the app does not compress), and it counts
the elements of the DOM and the page's height. Figures go to stdout; docs/benchmarks.md
records them.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.async_api import Response, async_playwright

from app.asgi import create_app
from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker
from app.demo import load_demo
from app.settings import Settings

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (1280, 390)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _load(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    async with make_sessionmaker(engine)() as session:
        await load_demo(session, settings=settings)
        await session.commit()
    await engine.dispose()


async def _measure(url: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for width in WIDTHS:
            context = await browser.new_context(viewport={"width": width, "height": 900})
            page = await context.new_page()
            responses: list[Response] = []

            def keep(response: Response, into: list[Response] = responses) -> None:
                into.append(response)

            page.on("response", keep)
            await page.goto(url + "/", wait_until="networkidle")
            rows = []
            for response in responses:
                body = await response.body()
                sizes = await response.request.sizes()
                encoding = response.headers.get("content-encoding", "")
                wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                zipped = len(body) if encoding else len(gzip.compress(body, 6))
                rows.append((response.url.removeprefix(url), response.status, wire, zipped))
            dom = await page.evaluate("document.getElementsByTagName('*').length")
            height = await page.evaluate("document.documentElement.scrollHeight")
            print(f"\n/ at {width} px: {len(rows)} requests, {dom} DOM elements, {height} px tall")
            for path, status, wire, zipped in rows:
                print(f"  {status} {path:<40} {wire:>8} B on the wire {zipped:>8} B gzipped")
            print(
                f"  total {sum(r[2] for r in rows):>8} B on the wire,"
                f" {sum(r[3] for r in rows):>8} B gzipped"
            )
            await context.close()
        await browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'weight.db'}",
            base_url=f"http://127.0.0.1:{port}",
            secret_key="bench-secret-key-0123456789",
            page_name="Tidings demo",
            run_worker=False,
        )
        upgrade(settings.database_url)
        asyncio.run(_load(settings))
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            asyncio.run(_measure(settings.base_url))
        finally:
            server.should_exit = True
            thread.join(timeout=15)


if __name__ == "__main__":
    main()
