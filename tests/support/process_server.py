"""Serve the app on 127.0.0.1 in a process of its own: `python -m tests.support.process_server PORT
SETTINGS_JSON`. The `live_server` fixture runs it for tests that need a real server (the
in-process test client runs one request at a time, on the test's own interpreter)."""

from __future__ import annotations

import json
import sys

import uvicorn

from app.asgi import create_app
from app.settings import Settings


def main() -> None:
    port, fields = int(sys.argv[1]), json.loads(sys.argv[2])
    uvicorn.run(create_app(Settings(**fields)), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
