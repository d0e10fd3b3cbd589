"""A threaded HTTP server on loopback for the suite's peers (a webhook receiver, pages to
import, bombs): each peer says only how it answers."""

from __future__ import annotations

import http.server
import threading
from typing import Any


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that keeps the test output free of access logs."""

    def log_message(self, format: str, *args: Any) -> None:
        return


class LoopbackServer:
    """`handler` served on 127.0.0.1:`port` from a thread of its own until `stop()`."""

    def __init__(self, port: int, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        # A short poll, so that stop() returns at once.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
