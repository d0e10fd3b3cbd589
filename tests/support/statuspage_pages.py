"""Saved public Statuspage pages served over real HTTP on loopback, for the import tests
(the `pages` fixture in tests/imports/conftest.py)."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import brotli

from tests.support.loopback_http import LoopbackServer, QuietHandler
from tests.support.peers import free_port

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "statuspage"


class PageServer:
    """A static HTTP server over a folder of saved pages, plus redirects for testing hops."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.redirects: dict[str, str] = {}  # path prefix -> where it moved
        self.requests: list[str] = []
        # Content-Encoding of every answer: gzip, deflate, deflate-raw (sent as deflate, as
        # some servers do), br; None sends documents as they are.
        self.encoding: str | None = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def read(self, name: str, document: str) -> Any:
        return json.loads((self.root / name / document).read_text())

    def write(self, name: str, document: str, data: Any) -> None:
        (self.root / name / document).write_text(json.dumps(data, indent=2))

    def start(self) -> None:
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                for prefix, target in server.redirects.items():
                    if self.path.startswith(prefix):
                        self.send_response(301)
                        self.send_header("location", target + self.path[len(prefix) :])
                        self.send_header("content-length", "0")
                        self.end_headers()
                        return
                parts = self.path.strip("/").split("/")
                file = None
                if len(parts) == 4 and parts[1:3] == ["api", "v2"] and ".." not in parts:
                    file = server.root / parts[0] / parts[3]
                if file is None or not file.is_file():
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                body = file.read_bytes()
                self.send_response(200)
                self.send_header("content-type", "application/json; charset=utf-8")
                if server.encoding:
                    body = _compress(body, server.encoding)
                    self.send_header("content-encoding", server.encoding.removesuffix("-raw"))
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = LoopbackServer(self.port, Handler)

    def stop(self) -> None:
        self._server.stop()


def _compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body)
    wbits = {"gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS, "deflate-raw": -15}
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits[encoding])
    return packer.compress(body) + packer.flush()
