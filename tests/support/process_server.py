"""Serve the app on 127.0.0.1 in a process of its own: `python -m tests.support.process_server PORT
SETTINGS_JSON`. The `live_server` fixture runs it for tests that need a real server (the
in-process test client runs one request at a time, on the test's own interpreter)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import uvicorn

from app.asgi import create_app
from app.settings import Settings


@contextlib.contextmanager
def serving_in_a_process(settings: Settings) -> Iterator[str]:
    """Serve the app with `settings` in a process of its own; yields its base URL. (The
    `app_process` fixture; a test that needs a second server process calls it itself.)"""
    from tests.support.peers import free_port

    port = free_port()
    fields = json.dumps(dataclasses.asdict(settings), default=dict)
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.support.process_server", str(port), fields]
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/livez", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the live server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    port, fields = int(sys.argv[1]), json.loads(sys.argv[2])
    uvicorn.run(create_app(Settings(**fields)), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
