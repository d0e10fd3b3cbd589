"""A hostile "Statuspage page" on loopback: every v2 document it serves is a bomb.

`url(kind)` is a page whose documents are, by kind:
- `gzip`, `br`: 1 GiB of zeros, compressed (about 1 MiB of gzip, under 2 KiB of brotli) and
  sent with that Content-Encoding, whatever the request asked for;
- `deep`: JSON arrays nested 200,000 deep (400 KB, uncompressed).

The zeros are compressed a mebibyte at a time, never held whole, and once per test run.
"""

from __future__ import annotations

import contextlib
import functools
import zlib

import brotli

from tests.support.loopback_http import LoopbackServer, QuietHandler
from tests.support.peers import free_port

INFLATED = 1024 * 1024 * 1024
DEPTH = 200_000
_MIB = bytes(1024 * 1024)


@functools.cache
def compressed_zeros(encoding: str) -> bytes:
    """INFLATED bytes of zeros, compressed with `encoding` (gzip or br) a MiB at a time."""
    parts: list[bytes] = []
    if encoding == "gzip":
        gzip = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        parts += (gzip.compress(_MIB) for _ in range(INFLATED // len(_MIB)))
        parts.append(gzip.flush())
    else:
        br = brotli.Compressor(quality=5)
        parts += (br.process(_MIB) for _ in range(INFLATED // len(_MIB)))
        parts.append(br.finish())
    return b"".join(parts)


class BombPages:
    """The server; `requests` lists the paths asked for."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[str] = []
        self.bodies = {
            "gzip": compressed_zeros("gzip"),
            "br": compressed_zeros("br"),
            "deep": b"[" * DEPTH + b"]" * DEPTH,
        }

    def url(self, kind: str) -> str:
        return f"http://127.0.0.1:{self.port}/{kind}"

    def start(self) -> None:
        pages = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                pages.requests.append(self.path)
                kind = self.path.strip("/").split("/")[0]
                body = pages.bodies.get(kind)
                if body is None or "/api/v2/" not in self.path:
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("content-type", "application/json")
                if kind != "deep":
                    self.send_header("content-encoding", kind)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                # The importer hangs up at its cap, as it should.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        self._server = LoopbackServer(self.port, Handler)

    def stop(self) -> None:
        self._server.stop()
