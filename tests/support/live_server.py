"""Tidings served for real on loopback, for tests that need a real server: a browser, or
concurrent requests (the in-process test client handles one request at a time)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import uvicorn

from app.asgi import create_app
from app.settings import Settings
from tests.support.peers import free_port


class LiveServer:
    """Tidings served by uvicorn in a thread of its own, with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = replace(settings, base_url=self.url)
        config = uvicorn.Config(
            create_app(self.settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        # Polled, with a deadline: uvicorn has no event to wait on.
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
